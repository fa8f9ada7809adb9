"""the editor's inbox: imported e-mails and what was recorded from them on an organisation's behalf

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 03:19:01
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=500), nullable=False),
        sa.Column("in_reply_to", sa.String(length=500), nullable=False),
        sa.Column("from_email", sa.String(length=254), nullable=False),
        sa.Column("from_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "recorded",
                "archived",
                "spam",
                name="inboxstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user.id"],
            name=op.f("fk_inbox_item_imported_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_inbox_item_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_item")),
        sa.UniqueConstraint("message_id", name=op.f("uq_inbox_item_message_id")),
    )
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbox_item_imported_at"), ["imported_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbox_item_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inbox_item_status"), ["status"], unique=False)

    op.create_table(
        "on_behalf_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "requirement", "vote", "comment", name="recordkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_on_behalf_record_comment_id_comment"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inbox_item.id"],
            name=op.f("fk_on_behalf_record_item_id_inbox_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_on_behalf_record_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
            name=op.f("fk_on_behalf_record_recorded_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_on_behalf_record_requirement_id_requirement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"],
            ["vote.id"],
            name=op.f("fk_on_behalf_record_vote_id_vote"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_on_behalf_record")),
    )
    with op.batch_alter_table("on_behalf_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_on_behalf_record_item_id"), ["item_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_on_behalf_record_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_on_behalf_record_requirement_id"), ["requirement_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("on_behalf_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_on_behalf_record_requirement_id"))
        batch_op.drop_index(batch_op.f("ix_on_behalf_record_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_on_behalf_record_item_id"))

    op.drop_table("on_behalf_record")
    with op.batch_alter_table("inbox_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_item_status"))
        batch_op.drop_index(batch_op.f("ix_inbox_item_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_inbox_item_imported_at"))

    op.drop_table("inbox_item")
