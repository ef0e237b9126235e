-- The self_reported rows of version 2 of fct_kpi_values are exactly the rows of version 1 on
-- version 1's columns: every row of one that the other lacks (either way, duplicates counted)
-- fails. (The public_notices rows are the second source, not version 1's.)
{%- set v1_columns = [
    'kpi_code', 'theme', 'scope_level', 'scope_id', 'year', 'numerator', 'denominator',
    'value', 'unit', 'record_count', 'target_value', 'meets_target',
] %}
with

v1 as (
    select {{ v1_columns | join(', ') }} from {{ ref('fct_kpi_values', v=1) }}
),

v2 as (
    select {{ v1_columns | join(', ') }} from {{ ref('fct_kpi_values', v=2) }}
    where source = 'self_reported'
),

only_in_v1 as (
    select * from v1
    except all
    select * from v2
),

only_in_v2 as (
    select * from v2
    except all
    select * from v1
),

final as (
    select
        'only in v1' as difference,
        *
    from only_in_v1
    union all
    select
        'only in v2' as difference,
        *
    from only_in_v2
)

select * from final
