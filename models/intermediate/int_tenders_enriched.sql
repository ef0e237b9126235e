-- grain: one row per loaded tender
-- Tender value (awarded, else estimated), award year, whether it is awarded, its criteria
-- count, highest ambition level and one flag per MVOI theme: the rules of the macro
-- tenders_enriched (macros/marts/tenders_enriched.sql), shared with the notice tenders.
with

enriched as (
    {{ tenders_enriched(
        ref('stg_landing__tenders'),
        ref('stg_landing__organisations'),
        ref('stg_landing__tender_criteria'),
    ) | indent(4) }}
),

final as (
    select * from enriched
)

select * from final
