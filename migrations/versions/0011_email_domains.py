"""e-mail domains mapped to partner organisations

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 03:25:00

Single sign-on admits a first sign-in from a mapped domain into its organisation; the editor's
inbox links a sender to the organisation of their domain.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_domain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey(
                "organisation.id",
                name=op.f("fk_email_domain_organisation_id_organisation"),
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("sso_required", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_domain")),
        sa.UniqueConstraint("domain", name=op.f("uq_email_domain_domain")),
    )
    with op.batch_alter_table("email_domain", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_email_domain_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("email_domain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_domain_organisation_id"))
    op.drop_table("email_domain")
