-- grain: one row per dated landing entity: the currentness measure (dq_dimension timeliness)
-- of the quality scorecard, the loaded records whose date lies within the last
-- var('dq_currentness_months') months before the delivery's reference date (the latest loaded
-- invoice date). organisations, suppliers and tender_criteria carry no date: no row.
-- sqlfluff:indentation:template_blocks_indent:false
{{ config(materialized='ephemeral') }}
{% set currentness_dates = {
    'supplier_certificates': 'coalesce(valid_to, reference_date)',
    'tenders': 'coalesce(award_date, publication_date)',
    'contracts': 'coalesce(end_date, reference_date)',
    'invoice_lines': 'invoice_date',
    'social_return_realisations': 'period_end',
    'material_reports': 'period_end',
} %}
with

{% for entity in currentness_dates %}
{{ entity }} as (
    select * from {{ ref('stg_landing__' ~ entity) }}
),

{% endfor %}
reference as (
    select max(invoice_date) as reference_date
    from invoice_lines
),

final as (
    {% for entity, date_expression in currentness_dates.items() %}
    select
        '{{ entity }}' as entity,
        'timeliness' as dq_dimension,
        'currentness' as measure,
        'records' as unit,
        count({{ date_expression }}) as denominator,
        count({{ date_expression }}) filter (
            where {{ date_expression }}
            < reference.reference_date - to_months({{ var('dq_currentness_months', 36) }})
        ) as failing
    from {{ entity }}
    cross join reference
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}
)

select * from final
