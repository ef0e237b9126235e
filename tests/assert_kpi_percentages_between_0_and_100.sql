-- National and government-layer percentage KPIs are within 0-100 (the generic test
-- column_between; SRO-03, realised against agreed social return, may exceed 100).
-- A singular test because models/marts/** belongs to the marts owner.
{{ test_column_between(
    model=ref('fct_kpi_values'),
    column_name='value',
    min_value=0,
    max_value=100,
    where="unit = '%' and kpi_code <> 'SRO-03' and scope_level <> 'organisation'",
) }}
