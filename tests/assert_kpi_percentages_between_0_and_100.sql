-- Bounded percentage KPIs (register bounds `strict`) are within 0-100 at every scope
-- (column_between). These are the shares whose numerator is a part of a non-negative
-- denominator (counts of tenders or contracts, tender and contract values, material kg), so
-- a value outside 0-100 is a bug. Shares of a netted total (bounds `net`) are checked by
-- assert_kpi_spend_shares_between_0_and_100; SRO-03 (realised against agreed) may exceed 100.
{{ test_column_between(
    model=ref('fct_kpi_values', v=1),
    column_name='value',
    min_value=0,
    max_value=100,
    where="kpi_code in (select kpi_code from " ~ ref('kpi_register') ~ " where bounds = 'strict')",
) }}
