-- Spend-share KPIs (GEN-04, GEN-05, KLI-04, MIL-02, DI-02, DI-03) and SRO-02 within 0-100,
-- as a warning: credit notes net off, so a share of a small net spend can legitimately fall
-- outside 0-100 (at any scope), and an obligation may exceed a contract's value.
{{ test_column_between(
    model=ref('fct_kpi_values'),
    column_name='value',
    min_value=0,
    max_value=100,
    where="kpi_code in ('GEN-04', 'GEN-05', 'KLI-04', 'MIL-02', 'DI-02', 'DI-03', 'SRO-02')",
) }}
-- last, so that it overrides the default severity the generic test's macro sets
{{ config(severity='warn') }}
