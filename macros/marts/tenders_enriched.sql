{% macro tenders_enriched(tenders, organisations, criteria, with_delivery_id=true) -%}
    {#- The tender rules of the register, written once for the self-reported tenders
        (int_tenders_enriched) and the published ones (int_notice_tenders_enriched): a query
        with one row per tender of `tenders` whose organisation is in `organisations`, with
        tender value (awarded, else estimated), award year, whether it is awarded, its criteria
        count, highest ambition level and one flag per MVOI theme (a tender has theme T when at
        least one of its criteria has theme T, whatever the criterion kind: a declared objective
        of a notice counts like any other criterion). is_significant_or_ambitious needs an
        ambition level of 2 or more, so it is false for a tender whose criteria carry none
        (every notice). with_delivery_id: whether `tenders` has a delivery_id to carry. -#}
with

tenders as (
    select * from {{ tenders }}
),

organisations as (
    select * from {{ organisations }}
),

criteria as (
    select * from {{ criteria }}
),

cpv_product_groups as (
    select * from {{ ref('int_cpv_product_groups') }}
),

criteria_per_tender as (
    select
        tender_id,
        count(*) as criteria_count,
        max(ambition_level) as highest_ambition_level,
        coalesce(bool_or(theme = 'milieu'), false) as has_theme_milieu,
        coalesce(bool_or(theme = 'klimaat'), false) as has_theme_klimaat,
        coalesce(bool_or(theme = 'circulair'), false) as has_theme_circulair,
        coalesce(bool_or(theme = 'isv'), false) as has_theme_isv,
        coalesce(bool_or(theme = 'diversiteit_inclusie'), false) as has_theme_diversiteit_inclusie,
        coalesce(bool_or(theme = 'social_return'), false) as has_theme_social_return
    from criteria
    group by tender_id
),

final as (
    select
        tenders.tender_id,
        {%- if with_delivery_id %}
        tenders.delivery_id,
        {%- endif %}
        tenders.organisation_id,
        organisations.government_layer,
        tenders.title,
        tenders.cpv_code,
        coalesce(cpv_product_groups.product_group_id, 'unclassified') as product_group_id,
        tenders.contract_type,
        tenders.procedure,
        tenders.publication_date,
        tenders.award_date,
        {{ year_of('tenders.award_date') }} as award_year,
        tenders.status,
        tenders.status = 'awarded' as is_awarded,
        tenders.estimated_value_eur,
        tenders.awarded_value_eur,
        {{ tender_value('tenders.awarded_value_eur', 'tenders.estimated_value_eur') }} as tender_value_eur,
        coalesce(criteria_per_tender.criteria_count, 0) as criteria_count,
        coalesce(criteria_per_tender.criteria_count, 0) > 0 as has_criteria,
        criteria_per_tender.highest_ambition_level,
        coalesce(criteria_per_tender.highest_ambition_level >= 2, false) as is_significant_or_ambitious,
        coalesce(criteria_per_tender.has_theme_milieu, false) as has_theme_milieu,
        coalesce(criteria_per_tender.has_theme_klimaat, false) as has_theme_klimaat,
        coalesce(criteria_per_tender.has_theme_circulair, false) as has_theme_circulair,
        coalesce(criteria_per_tender.has_theme_isv, false) as has_theme_isv,
        coalesce(criteria_per_tender.has_theme_diversiteit_inclusie, false) as has_theme_diversiteit_inclusie,
        coalesce(criteria_per_tender.has_theme_social_return, false) as has_theme_social_return
    from tenders
    inner join organisations
        on tenders.organisation_id = organisations.organisation_id
    left join criteria_per_tender
        on tenders.tender_id = criteria_per_tender.tender_id
    left join cpv_product_groups
        on tenders.cpv_code = cpv_product_groups.cpv_code
)

select * from final
{%- endmacro %}


{% macro tender_theme_list(tender) -%}
    {#- The MVOI themes of a tender (a relation or alias with the has_theme_<theme> flags of
        tenders_enriched) as one comma-separated text in the fixed order of mvoi_theme_codes();
        empty when it has none. Two tenders have the same theme flags exactly when their lists
        are equal. -#}
    concat_ws(', '
        {%- for theme in mvoi_theme_codes() -%}
        , case when {{ tender }}.has_theme_{{ theme }} then '{{ theme }}' end
        {%- endfor -%}
    )
{%- endmacro %}
