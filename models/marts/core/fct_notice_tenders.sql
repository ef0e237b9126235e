-- grain: one row per published lot (public notices only)
with

tenders as (
    select * from {{ ref('int_notice_tenders_enriched') }}
),

final as (
    select
        {{ fct_tenders_columns(with_delivery_id=false) | indent(4) }}
    from tenders
)

select * from final
