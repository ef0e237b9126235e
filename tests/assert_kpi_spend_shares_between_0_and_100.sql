-- Shares of a netted total (register bounds `net`: the spend shares and SRO-02) within 0-100,
-- as a warning: credit notes net off, so a share of a small net spend can legitimately fall
-- outside 0-100 (at any scope), and an obligation may exceed a contract's value.
{{ test_column_between(
    model=ref('fct_kpi_values', v=1),
    column_name='value',
    min_value=0,
    max_value=100,
    where="kpi_code in (select kpi_code from " ~ ref('kpi_register') ~ " where bounds = 'net')",
) }}
-- last, so that it overrides the default severity the generic test's macro sets
{{ config(severity='warn') }}
