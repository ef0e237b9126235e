-- grain: one row per distinct supplier_certificates record of the delivery (exact duplicates
-- collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('supplier_certificates') %}
{%- set landing_key = landing_contract_key('supplier_certificates') %}
with

source as not materialized (
    select * from {{ source('landing', 'supplier_certificates') }}
),

suppliers as (
    select supplier_id as loaded_supplier_id from {{ ref('stg_landing__suppliers') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'supplier_certificates', landing_columns, landing_key) }}
),

parsed as (
    select
        certificate_id,
        supplier_id,
        {{ parse_landing_code('supplier_certificates', 'scheme') }} as scheme,
        {{ parse_landing_code('supplier_certificates', 'ladder_version') }} as ladder_version,
        ladder_version as ladder_version_text,
        {{ parse_int('level') }} as level,  -- noqa: RF04
        level as level_text,
        {{ parse_iso_date('valid_from') }} as valid_from,
        {{ parse_iso_date('valid_to') }} as valid_to,
        valid_to as valid_to_text,
        delivery_id,
        delivering_organisation_id,
        delivery_period,
        is_conflicting_duplicate,
        exact_duplicates_removed,
        id_scope,
        delivered_record
    from deduplicated
),

-- the level range depends on the scheme and, for the CO2-Prestatieladder, on the ladder
-- version (4.0: treden 1-3; 3.1 or no valid version: levels 1-5); ISO 14001 and EMAS have none
ranged as (
    select
        *,
        case when scheme = 'co2_prestatieladder' then ladder_version end as scheme_ladder_version,
        case
            when level_text is not null and level is null then false
            when scheme = 'co2_prestatieladder' and ladder_version = '4.0'
                then coalesce(level between 1 and 3, false)
            when scheme = 'co2_prestatieladder'
                then coalesce(level between 1 and 5, false)
            when scheme = 'pso' then coalesce(level between 0 and 3, false)
            when scheme in ('iso_14001', 'emas') then level_text is null
            else true
        end as is_level_valid
    from parsed
),

validated as (
    select
        ranged.*,
        {{ collect_reasons({
            'missing_key': 'certificate_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_supplier_id': 'loaded_supplier_id is null',
            'invalid_scheme': 'scheme is null',
            'invalid_level': 'not is_level_valid',
            'invalid_valid_from': 'valid_from is null',
            'valid_to_before_valid_from': 'valid_to < valid_from',
        }) }} as fatal_reasons,
        {{ collect_reasons({
            'invalid_ladder_version':
                'ladder_version_text is not null and scheme_ladder_version is null',
            'invalid_valid_to': 'valid_to_text is not null and valid_to is null',
        }) }} as warnings
    from ranged
    left join suppliers
        on ranged.supplier_id = suppliers.loaded_supplier_id
),

final as (
    select
        certificate_id,
        supplier_id,
        scheme,
        scheme_ladder_version as ladder_version,
        level,
        valid_from,
        valid_to,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('supplier_certificates') }} as record_id,
        {{ landing_original_record('supplier_certificates') }} as original_record
    from validated
)

select * from final
