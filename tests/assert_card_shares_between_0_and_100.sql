{#- Every share of the product and sector cards is a percentage between 0 and 100, and is null
    exactly when the card has no awarded tenders in the year. Fails with one row per
    (card mart, card, year, share column) that breaks this. -#}
{%- set share_columns = ['awarded_tenders_with_criteria_pct'] -%}
{%- for theme in mvoi_criteria_themes() -%}
    {%- do share_columns.append('awarded_tenders_' ~ theme ~ '_pct') -%}
{%- endfor -%}
{%- set shares = [] -%}
{%- for card, key in [('product_cards', 'product_group_id'), ('sector_cards', 'sector_id')] -%}
    {%- for column in share_columns -%}
        {%- do shares.append({'card': card, 'key': key, 'column': column}) -%}
    {%- endfor -%}
{%- endfor %}
-- grain of a failure: one row per (card_mart, card_id, year, share_column) out of range
with

product_cards as (
    select * from {{ ref('mart_product_cards') }}
),

sector_cards as (
    select * from {{ ref('mart_sector_cards') }}
),

shares as (
    {%- for share in shares %}
        select
            '{{ share.card }}' as card_mart,
            {{ share.key }} as card_id,
            year,
            '{{ share.column }}' as share_column,
            {{ share.column }} as share_pct,
            awarded_tender_count
        from {{ share.card }}
        {%- if not loop.last %}

            union all
        {% endif %}
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
