-- grain: one row per published lot (public notices only)
with

tenders as (
    select * from {{ ref('int_notice_tenders_enriched') }}
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
        has_theme_milieu,
        has_theme_klimaat,
        has_theme_circulair,
        has_theme_isv,
        has_theme_diversiteit_inclusie,
        has_theme_social_return
    from tenders
)

select * from final
