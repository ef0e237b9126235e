-- grain: one row per loaded tender (procedure or lot)
with

tenders as (
    select * from {{ ref('int_tenders_enriched') }}
),

final as (
    select
        tender_id,
        organisation_id,
        government_layer,
        title,
        cpv_code,
        product_group_id,
        contract_type,
        procedure,
        publication_date,
        award_date,
        award_year,
        status,
        is_awarded,
        estimated_value_eur,
        awarded_value_eur,
        tender_value_eur,
        criteria_count,
        has_criteria,
        highest_ambition_level,
        is_significant_or_ambitious,
        {%- for theme in mvoi_theme_codes() %}
        has_theme_{{ theme }}{{ "," if not loop.last }}
        {%- endfor %}
    from tenders
)

select * from final
