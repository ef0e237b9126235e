{#- The product cards and the sector cards lose and double-count nothing: per year, each card
    mart's total spend equals the total spend of fct_spend (exact, decimal), and its total
    contract value, emissions, uncovered ISV-risk spend, awarded tenders and awarded tenders
    per theme equal those of fct_contracts, fct_spend and fct_tenders (emissions, a
    floating-point sum, within a relative 1e-9: floats_differ). A spend line, contract or
    awarded tender whose product group is not in dim_product_groups, or a product group
    without a sector, shows up here.
    Fails with one row per (card mart, year, measure) that differs. -#}
-- grain of a failure: one row per (card_mart, year, measure) whose totals differ
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

product_cards as (
    select * from {{ ref('mart_product_cards') }}
),

sector_cards as (
    select * from {{ ref('mart_sector_cards') }}
),

spend_totals as (
    select
        invoice_year as year,  -- noqa: RF04
        sum(amount) as spend_eur,
        sum(kg_co2e) / 1000 as emissions_t_co2e,
        sum(case when is_uncovered_isv_risk then amount else 0 end) as uncovered_isv_risk_spend_eur
    from spend
    group by invoice_year
),

contract_totals as (
    select
        start_year as year,  -- noqa: RF04
        sum(contract_value_eur) as contract_value_eur
    from contracts
    where start_year is not null
    group by start_year
),

tender_totals as (
    select
        award_year as year,  -- noqa: RF04
        count(*) as awarded_tender_count,
        {%- for theme in mvoi_criteria_themes() %}
            sum(case when has_theme_{{ theme }} then 1 else 0 end) as awarded_tenders_{{ theme }}_count,
        {%- endfor %}
        sum(case when has_criteria then 1 else 0 end) as awarded_tenders_with_criteria_count
    from tenders
    where is_awarded and award_year is not null
    group by award_year
),

fact_years as (
    select year from spend_totals
    union
    select year from contract_totals
    union
    select year from tender_totals
),

fact_totals as (
    select
        fact_years.year,
        coalesce(spend_totals.spend_eur, 0) as spend_eur,
        coalesce(spend_totals.emissions_t_co2e, 0) as emissions_t_co2e,
        coalesce(spend_totals.uncovered_isv_risk_spend_eur, 0) as uncovered_isv_risk_spend_eur,
        coalesce(contract_totals.contract_value_eur, 0) as contract_value_eur,
        coalesce(tender_totals.awarded_tender_count, 0) as awarded_tender_count,
        {%- for theme in mvoi_criteria_themes() %}
            coalesce(tender_totals.awarded_tenders_{{ theme }}_count, 0) as awarded_tenders_{{ theme }}_count,
        {%- endfor %}
        coalesce(tender_totals.awarded_tenders_with_criteria_count, 0) as awarded_tenders_with_criteria_count
    from fact_years
    left join spend_totals
        on fact_years.year = spend_totals.year
    left join contract_totals
        on fact_years.year = contract_totals.year
    left join tender_totals
        on fact_years.year = tender_totals.year
),

card_totals as (
    {%- for card in ['product_cards', 'sector_cards'] %}
        select
            '{{ card }}' as card_mart,
            year,
            sum(spend_eur) as spend_eur,
            sum(emissions_t_co2e) as emissions_t_co2e,
            sum(uncovered_isv_risk_spend_eur) as uncovered_isv_risk_spend_eur,
            sum(contract_value_eur) as contract_value_eur,
            sum(awarded_tender_count) as awarded_tender_count,
            {%- for theme in mvoi_criteria_themes() %}
                sum(awarded_tenders_{{ theme }}_count) as awarded_tenders_{{ theme }}_count,
            {%- endfor %}
            sum(awarded_tenders_with_criteria_count) as awarded_tenders_with_criteria_count
        from {{ card }}
        group by year
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}
),

card_marts as (
    select 'product_cards' as card_mart
    union all
    select 'sector_cards' as card_mart
),

expected as (
    select
        card_marts.card_mart,
        fact_totals.*
    from card_marts
    cross join fact_totals
),

compared as (
    select
        coalesce(expected.card_mart, card_totals.card_mart) as card_mart,
        coalesce(expected.year, card_totals.year) as year,  -- noqa: RF04
        expected.year is null as only_in_cards,
        card_totals.year is null as only_in_facts,
        expected.spend_eur as fact_spend_eur,
        card_totals.spend_eur as card_spend_eur,
        expected.emissions_t_co2e as fact_emissions_t_co2e,
        card_totals.emissions_t_co2e as card_emissions_t_co2e,
        expected.uncovered_isv_risk_spend_eur as fact_uncovered_isv_risk_spend_eur,
        card_totals.uncovered_isv_risk_spend_eur as card_uncovered_isv_risk_spend_eur,
        expected.contract_value_eur as fact_contract_value_eur,
        card_totals.contract_value_eur as card_contract_value_eur,
        expected.awarded_tender_count as fact_awarded_tender_count,
        card_totals.awarded_tender_count as card_awarded_tender_count,
        {%- for theme in mvoi_criteria_themes() %}
            expected.awarded_tenders_{{ theme }}_count as fact_awarded_tenders_{{ theme }}_count,
            card_totals.awarded_tenders_{{ theme }}_count as card_awarded_tenders_{{ theme }}_count,
        {%- endfor %}
        expected.awarded_tenders_with_criteria_count as fact_awarded_tenders_with_criteria_count,
        card_totals.awarded_tenders_with_criteria_count as card_awarded_tenders_with_criteria_count
    from expected
    full outer join card_totals
        on
            expected.card_mart = card_totals.card_mart
            and expected.year = card_totals.year
),

differences as (
    select
        card_mart,
        year,
        case
            when only_in_cards then 'year in the cards but not in the facts'
            when only_in_facts then 'year in the facts but not in the cards'
            when fact_spend_eur != card_spend_eur then 'spend_eur'
            when {{ floats_differ('fact_emissions_t_co2e', 'card_emissions_t_co2e') }} then 'emissions_t_co2e'
            when fact_uncovered_isv_risk_spend_eur != card_uncovered_isv_risk_spend_eur
                then 'uncovered_isv_risk_spend_eur'
            when fact_contract_value_eur != card_contract_value_eur then 'contract_value_eur'
            when fact_awarded_tender_count != card_awarded_tender_count then 'awarded_tender_count'
            {%- for theme in mvoi_criteria_themes() %}
                when fact_awarded_tenders_{{ theme }}_count != card_awarded_tenders_{{ theme }}_count
                    then 'awarded_tenders_{{ theme }}_count'
            {%- endfor %}
            when fact_awarded_tenders_with_criteria_count != card_awarded_tenders_with_criteria_count
                then 'awarded_tenders_with_criteria_count'
        end as measure,
        fact_spend_eur,
        card_spend_eur
    from compared
)

select
    card_mart,
    year,
    measure,
    fact_spend_eur,
    card_spend_eur
from differences
where measure is not null
