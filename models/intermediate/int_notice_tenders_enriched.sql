-- grain: one row per published lot (tender_id `<procedure id>/<lot id>`) of a loaded notice buyer
-- The published tenders (public notices only, never the self-reported data) with the same
-- tender rules as int_tenders_enriched (macro tenders_enriched): tender value, award year,
-- awarded or not, criteria (the declared objectives) and one flag per MVOI theme. Notices
-- carry no ambition level, so highest_ambition_level is null and is_significant_or_ambitious
-- false for every row (docs/notices.md, "In the warehouse").
with

enriched as (
    {{ tenders_enriched(
        ref('stg_notices__tenders'),
        ref('stg_notices__organisations'),
        ref('stg_notices__tender_criteria'),
        with_delivery_id=false,
    ) | indent(4) }}
),

final as (
    select * from enriched
)

select * from final
