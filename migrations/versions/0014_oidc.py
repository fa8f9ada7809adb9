"""the identity provider's subject on a user signed in through single sign-on

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 03:30:00

Unique and nullable: accounts that never used single sign-on have none; a later change of the
e-mail address at the identity provider still finds the account by its subject.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_oidc_subject"), ["oidc_subject"])


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_oidc_subject"), type_="unique")
        batch_op.drop_column("oidc_subject")
