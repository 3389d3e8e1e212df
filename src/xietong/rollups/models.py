"""The rollups' tables (migration 0010).

``rollup_counter`` holds one row per (metric, dimension, value, jurisdiction, month): how many
records and the sums of their measures. Rows are keyed by the record's own jurisdiction (a leaf),
so a subtree's rollup is a ``SUM`` over the subtree's code range (GB/T 2260 codes make it one
integer range): a few thousand rows for a province's year, whatever the number of records. Only
the trigger functions of ``rollups.ddl`` write it, in the transaction that changes the records.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from xietong.db.base import Base


class RollupCounter(Base):
    __tablename__ = "rollup_counter"
    __table_args__ = (
        CheckConstraint(
            "province_code = jurisdiction_code - jurisdiction_code % 10000",
            name="province_prefix",
        ),
        CheckConstraint("month BETWEEN 190001 AND 299912", name="month_range"),
    )

    # Key order: metric and dimension are equalities, the code range is the subtree (and the
    # row-level policy's index condition), the month range is filtered within it.
    metric: Mapped[str] = mapped_column(String(48), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The dimension's name; ``''`` for the metric's total."""
    jurisdiction_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    """``yyyymm``, the China month the record falls in."""
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    """The dimension's value; ``''`` for the total or an unset value."""
    province_code: Mapped[int] = mapped_column(Integer, nullable=False)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    sum_a: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
    sum_b: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("0"))
