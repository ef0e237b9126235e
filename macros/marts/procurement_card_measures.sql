{#- The measures of the product cards and the sector cards (productkaarten, sectorkaarten),
    written once for both levels. -#}

{% macro procurement_card_measures(card_key) -%}
    {#- A query with one row per (card_key, year) in which the card has at least one invoice
        line (year of invoice_date), contract (year of start_date) or awarded tender (year of
        award_date), and the card's measures, each computed from the facts at that level (so a
        sector's distinct suppliers and shares come from its own records, never from averaging
        or adding up product-group values that do not add up).
        card_key: `product_group_id` or `sector_id`, a column of dim_product_groups; a record's
        product group is the one of its CPV (invoice line: effective CPV; contract and tender:
        their own CPV), `unclassified` when none matches. -#}
    {%- if card_key not in ['product_group_id', 'sector_id'] -%}
        {{ exceptions.raise_compiler_error("procurement_card_measures: card_key must be product_group_id or sector_id, got '" ~ card_key ~ "'") }}
    {%- endif %}
with

spend as (
    select * from {{ ref('fct_spend') }}
),

contracts as (
    select * from {{ ref('fct_contracts') }}
),

tenders as (
    select * from {{ ref('fct_tenders') }}
),

product_groups as (
    select * from {{ ref('dim_product_groups') }}
),

suppliers as (
    select * from {{ ref('dim_suppliers') }}
),

spend_per_card as (
    select
        product_groups.{{ card_key }} as card_id,
        spend.invoice_year as year,
        sum(spend.amount) as spend_eur,
        count(*) as invoice_line_count,
        sum(spend.kg_co2e) / 1000 as emissions_t_co2e,
        sum(case when spend.is_uncovered_isv_risk then spend.amount else 0 end)
            as uncovered_isv_risk_spend_eur,
        count(distinct coalesce(suppliers.supplier_identity, spend.supplier_id)) as supplier_count
    from spend
    inner join product_groups
        on spend.product_group_id = product_groups.product_group_id
    left join suppliers
        on spend.supplier_id = suppliers.supplier_id
    group by product_groups.{{ card_key }}, spend.invoice_year
),

contracts_per_card as (
    select
        product_groups.{{ card_key }} as card_id,
        contracts.start_year as year,
        sum(contracts.contract_value_eur) as contract_value_eur,
        count(*) as contract_count,
        sum(case when contracts.is_above_threshold_isv_risk then 1 else 0 end)
            as above_threshold_isv_risk_contract_count,
        sum(case when contracts.is_above_threshold_isv_risk and not contracts.is_isv_covered then 1 else 0 end)
            as uncovered_isv_risk_contract_count
    from contracts
    inner join product_groups
        on contracts.product_group_id = product_groups.product_group_id
    where contracts.start_year is not null
    group by product_groups.{{ card_key }}, contracts.start_year
),

tenders_per_card as (
    select
        product_groups.{{ card_key }} as card_id,
        tenders.award_year as year,
        count(*) as awarded_tender_count,
        sum(case when tenders.has_criteria then 1 else 0 end) as awarded_tenders_with_criteria_count,
        {%- for theme in mvoi_criteria_themes() %}
        sum(case when tenders.has_theme_{{ theme }} then 1 else 0 end)
            as awarded_tenders_{{ theme }}_count{{ "," if not loop.last }}
        {%- endfor %}
    from tenders
    inner join product_groups
        on tenders.product_group_id = product_groups.product_group_id
    where tenders.is_awarded and tenders.award_year is not null
    group by product_groups.{{ card_key }}, tenders.award_year
),

card_years as (
    select card_id, year from spend_per_card
    union
    select card_id, year from contracts_per_card
    union
    select card_id, year from tenders_per_card
),

measures as (
    select
        card_years.card_id,
        card_years.year,
        cast(coalesce(spend_per_card.spend_eur, 0) as decimal(18, 2)) as spend_eur,
        cast(coalesce(spend_per_card.invoice_line_count, 0) as bigint) as invoice_line_count,
        cast(coalesce(spend_per_card.emissions_t_co2e, 0) as double) as emissions_t_co2e,
        cast(coalesce(contracts_per_card.contract_value_eur, 0) as decimal(18, 2)) as contract_value_eur,
        cast(coalesce(contracts_per_card.contract_count, 0) as bigint) as contract_count,
        cast(coalesce(tenders_per_card.awarded_tender_count, 0) as bigint) as awarded_tender_count,
        cast(coalesce(tenders_per_card.awarded_tenders_with_criteria_count, 0) as bigint)
            as awarded_tenders_with_criteria_count,
        {%- for theme in mvoi_criteria_themes() %}
        cast(coalesce(tenders_per_card.awarded_tenders_{{ theme }}_count, 0) as bigint)
            as awarded_tenders_{{ theme }}_count,
        {%- endfor %}
        {{ card_share('tenders_per_card.awarded_tenders_with_criteria_count', 'tenders_per_card.awarded_tender_count') }}
            as awarded_tenders_with_criteria_pct,
        {%- for theme in mvoi_criteria_themes() %}
        {{ card_share('tenders_per_card.awarded_tenders_' ~ theme ~ '_count', 'tenders_per_card.awarded_tender_count') }}
            as awarded_tenders_{{ theme }}_pct,
        {%- endfor %}
        cast(coalesce(spend_per_card.uncovered_isv_risk_spend_eur, 0) as decimal(18, 2))
            as uncovered_isv_risk_spend_eur,
        cast(coalesce(contracts_per_card.above_threshold_isv_risk_contract_count, 0) as bigint)
            as above_threshold_isv_risk_contract_count,
        cast(coalesce(contracts_per_card.uncovered_isv_risk_contract_count, 0) as bigint)
            as uncovered_isv_risk_contract_count,
        cast(coalesce(spend_per_card.supplier_count, 0) as bigint) as supplier_count
    from card_years
    left join spend_per_card
        on card_years.card_id = spend_per_card.card_id
        and card_years.year = spend_per_card.year
    left join contracts_per_card
        on card_years.card_id = contracts_per_card.card_id
        and card_years.year = contracts_per_card.year
    left join tenders_per_card
        on card_years.card_id = tenders_per_card.card_id
        and card_years.year = tenders_per_card.year
)

select * from measures
{%- endmacro %}


{% macro card_share(numerator, denominator) -%}
    {#- A share in percent (0-100) of two counts; null when the denominator is 0 or null
        (no awarded tenders in the card and year). Unrounded. -#}
    cast(case
        when coalesce({{ denominator }}, 0) = 0 then null
        else 100.0 * {{ numerator }} / {{ denominator }}
    end as double)
{%- endmacro %}


{% macro mvoi_criteria_themes() -%}
    {#- The six MVOI theme codes a tender criterion can have (seed mvoi_themes; landing contract,
        tender_criteria.theme), in seed order: one has_theme_<theme> column per theme in
        fct_tenders, and one count and one share column per theme on the cards. -#}
    {{ return(['milieu', 'klimaat', 'circulair', 'isv', 'diversiteit_inclusie', 'social_return']) }}
{%- endmacro %}
