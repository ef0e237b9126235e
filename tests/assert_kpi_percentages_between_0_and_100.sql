-- Bounded percentage KPIs are within 0-100 at every scope (column_between). These are the
-- shares whose numerator is a part of a non-negative denominator (counts of tenders or
-- contracts, tender and contract values, material kg), so a value outside 0-100 is a bug.
-- Spend shares and SRO-02 are checked by assert_kpi_spend_shares_between_0_and_100; SRO-03
-- (realised against agreed) may exceed 100 by design.
{{ test_column_between(
    model=ref('fct_kpi_values'),
    column_name='value',
    min_value=0,
    max_value=100,
    where="kpi_code in ('GEN-01', 'GEN-02', 'GEN-03', 'KLI-01', 'CIR-01', 'CIR-02', 'CIR-03',"
        ~ " 'MIL-01', 'ISV-01', 'ISV-02', 'SRO-01', 'DI-01')",
) }}
