"""The running example's board content: products, billing-model topics, requirements, comments."""

from typing import NotRequired, TypedDict

PRODUCTS = [
    (
        "BPOS",
        "bpos",
        "Business Productivity Online Suite: hosted mail, collaboration and meetings.",
    ),
    ("Windows Intune", "windows-intune", "Cloud PC management and security."),
    ("CRM Online", "crm-online", "Hosted customer relationship management."),
    ("Cloud Platform", "cloud-platform", "Compute, storage and database services by the hour."),
]

TOPICS = [
    ("Partner-led billing", "partner-led-billing", "Partners invoice the end customer themselves."),
    ("Bundling", "bundling", "Selling the service together with own and third-party services."),
    ("Pricing flexibility", "pricing-flexibility", "Partners set their own prices and terms."),
    ("White label", "white-label", "Selling the service under the partner's brand."),
    (
        "Customer ownership / cross-sell",
        "customer-ownership",
        "Who owns the customer relationship and the upsell.",
    ),
    ("Margins & incentives", "margins-incentives", "How partners earn on cloud subscriptions."),
    ("Direct billing", "direct-billing", "Making the vendor's own billing work for partners."),
]

# title, body (markdown), product slug, topic slugs, author e-mail
REQUIREMENTS = [
    (
        "Let partners invoice BPOS customers directly",
        "Today the vendor bills our customers for BPOS and we only earn a fee. We want to buy "
        "BPOS wholesale and **put it on our own invoice**, next to our support contract.\n\n"
        "- one invoice per customer per month\n- our payment terms, not the vendor's\n"
        "- the vendor keeps provisioning and support SLAs",
        "bpos",
        ["partner-led-billing"],
        "partner@example.com",
    ),
    (
        "Bundle Windows Intune with our managed desktop service",
        "We sell a managed desktop service per seat. Intune should be a line inside that "
        "bundle, priced by us, not a separate vendor invoice the customer has to reconcile.",
        "windows-intune",
        ["bundling", "partner-led-billing"],
        "harbour-managed@example.com",
    ),
    (
        "Wholesale price list for partner-billed subscriptions",
        "To bill customers ourselves we need a wholesale price per seat and month, published "
        "ahead of each quarter, so we can set our own retail prices.",
        "bpos",
        ["pricing-flexibility", "partner-led-billing"],
        "northgate-licensing@example.com",
    ),
    (
        "White-label BPOS under the telco's brand",
        "Our customers buy communications from us. They expect our brand on the portal, the "
        "welcome mails and the invoice — the way the cable operator resells the ERP line.",
        "bpos",
        ["white-label"],
        "altavoz-telecom@example.com",
    ),
    (
        "Keep the customer relationship with the partner after sign-up",
        "When the vendor bills the customer, the renewal and upsell conversations move to the "
        "vendor. Partner of record should own renewals and see the customer's usage.",
        "bpos",
        ["customer-ownership"],
        "kestrel-systems@example.com",
    ),
    (
        "Monthly billing in local currency with local tax invoices",
        "Our customers in Latin America need invoices in local currency with the local tax "
        "format. Partner billing would solve it; direct billing in USD does not.",
        "bpos",
        ["partner-led-billing", "direct-billing"],
        "andes-integracion@example.com",
    ),
    (
        "Margin for transactional partners, not only for large account resellers",
        "Small partners who bring in 20-seat customers get a one-off fee. A recurring margin on "
        "every renewal would make the cloud worth selling for us.",
        "bpos",
        ["margins-incentives"],
        "pampa-cloud@example.com",
    ),
    (
        "Let distributors bill their reseller base",
        "Distributors already invoice thousands of resellers for on-premise licences. Let the "
        "distributor bill the reseller, and the reseller bill the customer — two-tier billing.",
        "bpos",
        ["partner-led-billing"],
        "meridian-distribution@example.com",
    ),
    (
        "Bundle third-party backup with BPOS on one invoice",
        "Customers want mail plus backup plus archiving from one supplier. We resell a "
        "third-party backup service and want it on the same invoice and contract as BPOS.",
        "bpos",
        ["bundling"],
        "cloudfold-hosting@example.com",
    ),
    (
        "Partner-set discounts for multi-year commitments",
        "Let us give a customer a discount for a two- or three-year commitment, funded from "
        "our margin, without asking the vendor for approval each time.",
        "bpos",
        ["pricing-flexibility"],
        "maple-reseller@example.com",
    ),
    (
        "Usage and seat reports for partner-billed customers",
        "If we bill, we need the seat counts and usage per customer per month through an API, "
        "on time for our billing run.",
        "bpos",
        ["partner-led-billing"],
        "rhine-distribution@example.com",
    ),
    (
        "Intune per-device pricing that partners can repackage",
        "Intune is priced per user. Our SMB customers think in devices. Let partners "
        "repackage it per device inside their own price list.",
        "windows-intune",
        ["pricing-flexibility", "bundling"],
        "sakura-solutions@example.com",
    ),
    (
        "Co-branded sign-up pages for partner customers",
        "Even if the vendor keeps billing, the sign-up page should carry our brand and tie the "
        "customer to us as partner of record automatically.",
        "bpos",
        ["white-label", "customer-ownership"],
        "colleague@example.com",
    ),
    (
        "Let the ISV sell CRM Online inside its vertical solution",
        "We build a vertical solution on CRM Online. Customers should buy one subscription from "
        "us that includes the CRM seats, priced as one product.",
        "crm-online",
        ["bundling", "partner-led-billing"],
        "tessera-software@example.com",
    ),
    (
        "Credit terms for partner-billed subscriptions",
        "Partner billing only works if the vendor invoices us with 60-day terms; we carry the "
        "credit risk toward the customer.",
        "bpos",
        ["partner-led-billing", "margins-incentives"],
        "northgate-licensing@example.com",
    ),
    (
        "Move existing direct-billed customers to partner billing",
        "Customers who signed up directly through us should be movable to our invoice without a "
        "migration or a new tenant.",
        "bpos",
        ["partner-led-billing", "customer-ownership"],
        "kestrel-systems@example.com",
    ),
    (
        "Let hosters sell Cloud Platform capacity by the month at fixed prices",
        "Our customers want a fixed monthly price. We take the usage risk and bill them a flat "
        "rate for compute and storage.",
        "cloud-platform",
        ["pricing-flexibility", "partner-led-billing"],
        "cloudfold-hosting@example.com",
    ),
    (
        "Show the partner of record on the vendor's invoice",
        "If the vendor keeps billing, at least print our name and support number on the "
        "customer's invoice so they call us, not the vendor.",
        "bpos",
        ["direct-billing", "customer-ownership"],
        "lindqvist-data@example.com",
    ),
    (
        "Rebates on cloud growth for value-added resellers",
        "Pay a growth rebate when a VAR grows its cloud seats quarter over quarter, as the "
        "on-premise programme does for licence growth.",
        "bpos",
        ["margins-incentives"],
        "andes-integracion@example.com",
    ),
    (
        "Telephony bundle: BPOS with our hosted voice service",
        "We sell hosted voice. Customers want mail, meetings and phones as one service with one "
        "price per user.",
        "bpos",
        ["bundling", "white-label"],
        "outback-networks@example.com",
    ),
    (
        "Trial subscriptions that partners can start and convert",
        "Let partners start a 30-day trial for a customer and convert it to a partner-billed "
        "subscription without involving the vendor's sales team.",
        "bpos",
        ["customer-ownership"],
        "colleague@example.com",
    ),
    (
        "Security add-ons bundled with Intune at partner prices",
        "We add endpoint security and patching to Intune. One bundle, one price, our invoice.",
        "windows-intune",
        ["bundling", "pricing-flexibility"],
        "harbour-managed@example.com",
    ),
    (
        "Cancel and change seats mid-month for partner-billed customers",
        "Partner billing needs pro-rated seat changes so we can pass them on to the customer "
        "the same day.",
        "bpos",
        ["partner-led-billing"],
        "sakura-solutions@example.com",
    ),
    (
        "Let the vendor's direct billing accept partner purchase orders",
        "Some customers must buy through a purchase order issued to us. Direct billing should "
        "accept a partner PO reference and payment by the partner.",
        "bpos",
        ["direct-billing"],
        "maple-reseller@example.com",
    ),
    (
        "Marketing funds for partners who bring cloud customers",
        "Market development funds are tied to licence volume. Tie them to cloud customers "
        "added, so small partners can invest in campaigns.",
        "bpos",
        ["margins-incentives"],
        "pacific-apps@example.com",
    ),
    (
        "Partner-branded support portal for white-label customers",
        "Support tickets from white-label customers should land in our portal, with escalation "
        "to the vendor behind the scenes.",
        "bpos",
        ["white-label", "customer-ownership"],
        "altavoz-telecom@example.com",
    ),
    (
        "Price protection for partner-billed contracts",
        "If the vendor raises the wholesale price, existing customer contracts priced by the "
        "partner should keep the old price until renewal.",
        "bpos",
        ["pricing-flexibility", "margins-incentives"],
        "meridian-distribution@example.com",
    ),
    (
        "Customer data export when a customer moves to another partner",
        "Ownership works both ways: when a customer leaves us, the hand-over should be clean "
        "and documented.",
        "crm-online",
        ["customer-ownership"],
        "lindqvist-data@example.com",
    ),
    (
        "Consolidated invoice for CRM Online and BPOS",
        "Customers who buy both get two vendor invoices with different dates. Let partners put "
        "both on one invoice.",
        "crm-online",
        ["partner-led-billing", "bundling"],
        "tessera-software@example.com",
    ),
    (
        "Let partners set the billing date",
        "Our customers are billed on the 1st. The vendor bills on the sign-up anniversary. "
        "Partners should choose.",
        "bpos",
        ["partner-led-billing", "direct-billing"],
        "rhine-distribution@example.com",
    ),
    (
        "Publish the partner-billing roadmap",
        "Even a 'not this year' helps us plan. Publish when partner-led billing comes, for which "
        "products and which partner types.",
        "bpos",
        ["partner-led-billing"],
        "outback-networks@example.com",
    ),
    (
        "Intune licences through distributors' cloud marketplaces",
        "Distributors run marketplaces that resellers already use. Intune should be orderable "
        "there, billed by the distributor.",
        "windows-intune",
        ["partner-led-billing", "bundling"],
        "rhine-distribution@example.com",
    ),
]

COMMENTS = [
    "We lose about a third of renewals to the vendor's own sales team today.",
    "Same for us. Our customers do not understand why BPOS is not on our invoice.",
    "Agreed, but only if the vendor keeps first-line provisioning and the SLA.",
    "We would need API access to seat counts before we could bill.",
    "This is the reason we have not pushed BPOS to our SMB base yet.",
    "Our bank will not give us credit lines for cloud without predictable margins.",
    "Local currency invoicing matters more to us than the margin itself.",
    "A distributor marketplace would solve this for hundreds of small resellers.",
]


class QuestionSpec(TypedDict):
    """A demo question; answers lean by partner type (`weights`, `scale`) or come from `texts`."""

    kind: str
    prompt: str
    required: NotRequired[bool]
    choices: NotRequired[list[str]]
    weights: NotRequired[dict[str, list[int]]]
    scale: NotRequired[dict[str, int]]
    texts: NotRequired[list[str]]


class SurveySpec(TypedDict):
    """A demo survey with its questions and who answers it."""

    title: str
    intro: str
    product: str
    status: str
    opened_days_ago: int
    closes_in_days: int
    response_share: float
    skip: NotRequired[list[str]]
    skip_orgs: NotRequired[list[str]]
    related: NotRequired[list[str]]
    questions: list[QuestionSpec]


# Weights per partner type for single/multi choices (multi: chance in tenths of being picked).
SURVEYS: list[SurveySpec] = [
    {
        "title": "Billing for the vendor's online services",
        "intro": "The vendor bills your customers directly for its online services today. "
        "**What does your company want to do about billing?** Your answers are reported only "
        "in aggregate; you decide whether a written answer may be quoted.",
        "product": "bpos",
        "status": "closed",
        "opened_days_ago": 60,
        "closes_in_days": -5,
        "response_share": 0.85,
        # Two telcos did not answer: the telco group is too small to show, by design.
        "skip_orgs": ["northwave-telecom", "pacifica-telecom"],
        "related": [
            "Let partners invoice BPOS customers directly",
            "Wholesale price list for partner-billed subscriptions",
            "Let distributors bill their reseller base",
            "White-label BPOS under the telco's brand",
        ],
        "questions": [
            {
                "kind": "single",
                "prompt": "Who should bill the end customer for the vendor's online services?",
                "choices": [
                    "The partner",
                    "The vendor",
                    "Either, decided per customer",
                    "No preference",
                ],
                "weights": {
                    "var_si": [6, 1, 3, 1],
                    "msp_hoster": [8, 0, 2, 0],
                    "large_account_reseller": [2, 4, 3, 1],
                    "distributor": [6, 1, 2, 1],
                    "isv": [4, 2, 3, 2],
                    "telco": [9, 0, 1, 0],
                },
            },
            {
                "kind": "multi",
                "prompt": "What would you bundle with the service if you billed the customer?",
                "choices": [
                    "Our own managed services",
                    "Third-party backup",
                    "Security services",
                    "Telephony / hosted voice",
                    "Hardware and devices",
                    "Line-of-business applications",
                ],
                "weights": {
                    "var_si": [7, 5, 6, 2, 5, 4],
                    "msp_hoster": [9, 7, 7, 3, 2, 2],
                    "large_account_reseller": [3, 3, 4, 1, 6, 2],
                    "distributor": [4, 6, 6, 3, 5, 3],
                    "isv": [3, 2, 3, 1, 1, 9],
                    "telco": [5, 4, 5, 9, 4, 1],
                },
            },
            {
                "kind": "scale",
                "prompt": "How much would partner billing increase your sales of the online services?",  # noqa: E501
                "scale": {
                    "var_si": 4,
                    "msp_hoster": 5,
                    "large_account_reseller": 2,
                    "distributor": 4,
                    "isv": 3,
                    "telco": 5,
                },
            },
            {
                "kind": "single",
                "prompt": "If partner billing were offered, when would you move customers to it?",
                "choices": ["Within 3 months", "Within a year", "Later", "Never"],
                "weights": {
                    "var_si": [4, 4, 1, 1],
                    "msp_hoster": [7, 3, 0, 0],
                    "large_account_reseller": [1, 3, 4, 2],
                    "distributor": [3, 5, 1, 1],
                    "isv": [2, 4, 3, 1],
                    "telco": [6, 3, 1, 0],
                },
            },
            {
                "kind": "text",
                "prompt": "What would make the vendor's direct billing acceptable to you?",
                "required": False,
                "texts": [
                    "Our name and support number on every invoice, and renewals routed to us.",
                    "A recurring margin on every seat we bring, paid monthly, not a one-off fee.",
                    "Invoices in local currency with the local tax format.",
                    "Nothing: our customers want one invoice from us for everything.",
                    "Being able to set the price for our bundle, even if the vendor collects it.",
                    "Consolidated billing with our managed services on the same date.",
                    "Usage data per customer, so we can still run our account management.",
                ],
            },
        ],
    },
    {
        "title": "Windows Intune: bundles and support",
        "intro": "A short survey on how you sell, or would sell, Windows Intune.",
        "product": "windows-intune",
        "status": "open",
        "opened_days_ago": 5,
        "closes_in_days": 30,
        "response_share": 0.3,
        "skip": ["partner@example.com", "colleague@example.com"],
        "questions": [
            {
                "kind": "single",
                "prompt": "Do you sell Windows Intune today?",
                "choices": ["Yes", "We plan to this year", "No"],
            },
            {
                "kind": "multi",
                "prompt": "What do you (or would you) bundle Intune with?",
                "choices": [
                    "Device management service",
                    "Helpdesk",
                    "Security monitoring",
                    "Hardware leasing",
                ],
            },
            {
                "kind": "scale",
                "prompt": "How important is partner billing for Intune to you?",
            },
            {
                "kind": "text",
                "prompt": "What stops you from selling more Intune?",
                "required": False,
                "texts": [
                    "Per-user pricing does not fit our per-device contracts.",
                    "We cannot put it on our own invoice.",
                ],
            },
        ],
    },
]
