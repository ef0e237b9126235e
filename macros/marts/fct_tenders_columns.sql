{% macro fct_tenders_columns(with_delivery_id=true) -%}
    {#- The select list of fct_tenders, written once for it and fct_notice_tenders (the
        published lots, which have no delivery): the columns of tenders_enriched in the
        facts' order, delivery_id last when with_delivery_id. -#}
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
    {%- if with_delivery_id %},
    delivery_id
    {%- endif %}
{%- endmacro %}
