-- Row-level invariants of fct_kpi_values (docs/kpi_register.md, "The table BI tools read"):
--   every row has at least one record; the denominator is null exactly for the KPIs
--   without one (KLI-02, ISV-03, SRO-04); the value is the numerator for those, null when
--   the denominator is 0, else numerator / denominator (x 100 for %); meets_target agrees
--   with target_value, value and the register's direction.
-- Fails with one row per violating row and the name of the broken invariant.
with

kpi_values as (
    select * from {{ ref('fct_kpi_values', v=1) }}
),

kpi_register as (
    select * from {{ ref('kpi_register') }}
),

checked as (
    select
        kpi_values.*,
        kpi_register.better,
        kpi_values.kpi_code in ('KLI-02', 'ISV-03', 'SRO-04') as has_no_denominator,
        case
            when kpi_values.denominator is null then kpi_values.numerator
            when kpi_values.denominator = 0 then null
            when kpi_values.unit = '%' then kpi_values.numerator / kpi_values.denominator * 100
            else kpi_values.numerator / kpi_values.denominator
        end as recomputed_value
    from kpi_values
    left join kpi_register
        on kpi_values.kpi_code = kpi_register.kpi_code
),

violations as (
    select
        'record_count < 1' as invariant,
        *
    from checked
    where record_count < 1
    union all
    select
        'denominator presence' as invariant,
        *
    from checked
    where has_no_denominator != (denominator is null)
    union all
    select
        'value' as invariant,
        *
    from checked
    where
        (value is null) != (recomputed_value is null)
        or {{ floats_differ('value', 'recomputed_value') }}
    union all
    select
        'theme and unit from the register' as invariant,
        *
    from checked
    where better is null
    union all
    select
        'meets_target' as invariant,
        *
    from checked
    where
        meets_target is distinct from (
            case
                when target_value is null or value is null then null
                when better = 'higher' then value >= target_value
                else value <= target_value
            end
        )
)

select * from violations
