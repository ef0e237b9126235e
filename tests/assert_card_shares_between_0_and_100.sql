{#- Every share of the product and sector cards is a percentage between 0 and 100, and is null
    exactly when the card has no awarded tenders in the year. Fails with one row per
    (card mart, card, year, share column) that breaks this. -#}
-- grain of a failure: one row per (card_mart, card_id, year, share_column) out of range
{%- set share_columns = ['awarded_tenders_with_criteria_pct'] -%}
{%- for theme in mvoi_theme_codes() -%}
    {%- do share_columns.append('awarded_tenders_' ~ theme ~ '_pct') -%}
{%- endfor %}
with

product_cards as (
    select * from {{ ref('mart_product_cards') }}
),

sector_cards as (
    select * from {{ ref('mart_sector_cards') }}
),

shares as (
    {%- for card, key in [('product_cards', 'product_group_id'), ('sector_cards', 'sector_id')] %}
    {%- set outer_last = loop.last %}
    {%- for column in share_columns %}
    select
        '{{ card }}' as card_mart,
        {{ key }} as card_id,
        year,
        '{{ column }}' as share_column,
        {{ column }} as share_pct,
        awarded_tender_count
    from {{ card }}
    {%- if not (outer_last and loop.last) %}

    union all
    {% endif %}
    {%- endfor %}
    {%- endfor %}
),

out_of_range as (
    select
        card_mart,
        card_id,
        year,
        share_column,
        share_pct,
        awarded_tender_count
    from shares
    where
        share_pct < 0
        or share_pct > 100
        or (share_pct is null and awarded_tender_count > 0)
        or (share_pct is not null and awarded_tender_count = 0)
)

select
    card_mart,
    card_id,
    year,
    share_column,
    share_pct,
    awarded_tender_count
from out_of_range
