-- grain: one row per distinct material_reports record of the delivery (exact duplicates
-- collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('material_reports') %}
{%- set landing_key = landing_contract_key('material_reports') %}
with

source as not materialized (
    select * from {{ source('landing', 'material_reports') }}
),

contracts as (
    select contract_id as loaded_contract_id from {{ ref('stg_landing__contracts') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'material_reports', landing_columns, landing_key) }}
),

parsed as (
    select
        report_id,
        contract_id,
        {{ parse_iso_date('period_end') }} as period_end,
        {{ parse_number('material_total_kg') }} as material_total_kg,
        {{ parse_number('secondary_material_kg') }} as secondary_material_kg,
        delivery_id,
        delivering_organisation_id,
        delivery_period,
        is_conflicting_duplicate,
        exact_duplicates_removed,
        id_scope,
        delivered_record
    from deduplicated
),

validated as (
    select
        parsed.*,
        {{ collect_reasons({
            'missing_key': 'report_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_contract_id': 'loaded_contract_id is null',
            'invalid_period_end': 'period_end is null',
            'outside_delivery_period': 'delivery_period is not null and year(period_end) <> delivery_period',
            'invalid_material_total_kg': 'coalesce(material_total_kg <= 0, true)',
            'invalid_secondary_material_kg': 'coalesce(secondary_material_kg < 0, true)',
            'secondary_exceeds_total':
                'material_total_kg > 0 and secondary_material_kg >= 0'
                ~ ' and secondary_material_kg > material_total_kg',
        }) }} as fatal_reasons,
        {{ collect_reasons({}) }} as warnings
    from parsed
    left join contracts
        on parsed.contract_id = contracts.loaded_contract_id
),

final as (
    select
        report_id,
        contract_id,
        period_end,
        material_total_kg,
        secondary_material_kg,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('material_reports') }} as record_id,
        {{ landing_original_record('material_reports') }} as original_record
    from validated
)

select * from final
