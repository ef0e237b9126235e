-- Organisation percentage KPIs are within 0-100 (column_between; a warning: credit notes on
-- a small spend can push an organisation's spend share out of range; SRO-03 excluded).
{{ test_column_between(
    model=ref('fct_kpi_values'),
    column_name='value',
    min_value=0,
    max_value=100,
    where="unit = '%' and kpi_code <> 'SRO-03' and scope_level = 'organisation'",
) }}
-- last, so that it overrides the default severity the generic test's macro sets
{{ config(severity='warn') }}
