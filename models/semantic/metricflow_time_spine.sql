{{ config(materialized='table', schema='semantic') }}
-- grain: one row per calendar day from 2010-01-01 to 2035-12-31
-- MetricFlow's time spine (day grain): the base of metric_time, to which every semantic
-- model's time dimension is joined when a query groups by metric_time. The range covers the
-- KPI years of any realistic delivery generously; a record outside it still aggregates
-- (MetricFlow only needs the spine for cumulative and offset metrics and for filling gaps).
with

days as (
    {{ dbt.date_spine(
        'day',
        "cast('2010-01-01' as date)",
        "cast('2036-01-01' as date)",
    ) | indent(4) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select date_day
from final
