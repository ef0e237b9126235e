-- grain: one row per loaded tender (procedure or lot)
with

tenders as (
    select * from {{ ref('int_tenders_enriched') }}
),

final as (
    select
        {{ fct_tenders_columns() | indent(4) }}
    from tenders
)

select * from final
