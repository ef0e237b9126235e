-- grain: one row per distinct contracts record of the delivery (exact duplicates collapsed),
-- loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('contracts') %}
{%- set landing_key = landing_contract_key('contracts') %}
with

source as not materialized (
    select * from {{ source('landing', 'contracts') }}
),

organisations as (
    select organisation_id as loaded_organisation_id from {{ ref('stg_landing__organisations') }}
),

organisation_ancestors as (
    select * from {{ ref('stg_landing__organisation_ancestors') }}
),

suppliers as (
    select supplier_id as loaded_supplier_id from {{ ref('stg_landing__suppliers') }}
),

tenders as (
    select tender_id as loaded_tender_id from {{ ref('stg_landing__tenders') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'contracts', landing_columns, landing_key) }}
),

parsed as (
    select
        contract_id,
        tender_id,
        organisation_id,
        supplier_id,
        {{ normalize_cpv('cpv_code') }} as cpv_code,
        cpv_code as cpv_code_text,
        {{ cpv_check_digit_mismatch('cpv_code') }} as is_cpv_check_digit_mismatch,
        {{ parse_landing_code('contracts', 'contract_type') }} as contract_type,
        {{ parse_iso_date('start_date') }} as start_date,
        {{ parse_iso_date('end_date') }} as end_date,
        end_date as end_date_text,
        {{ parse_amount('contract_value_eur') }} as contract_value_eur,
        {{ parse_bool('is_framework') }} as is_framework,
        is_framework as is_framework_text,
        {{ parse_bool('isv_clause') }} as isv_clause,
        {{ parse_amount('sroi_obligation_eur') }} as sroi_obligation_eur,
        sroi_obligation_eur as sroi_obligation_eur_text,
        {{ parse_bool('is_reserved') }} as is_reserved,
        is_reserved as is_reserved_text,
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
        tenders.loaded_tender_id,
        {{ collect_reasons({
            'missing_key': 'contract_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_organisation_id': 'loaded_organisation_id is null',
            'other_organisation':
                'delivering_organisation_id is not null and loaded_organisation_id is not null'
                ~ ' and organisation_ancestors.organisation_id is null',
            'invalid_contract_type': 'contract_type is null',
            'invalid_start_date': 'start_date is null',
            'end_before_start': 'end_date < start_date',
            'invalid_contract_value_eur': 'coalesce(contract_value_eur < 0, true)',
        }) }} as fatal_reasons,
        {{ collect_reasons({
            'unknown_tender_id': 'tender_id is not null and loaded_tender_id is null',
            'missing_supplier_id': 'supplier_id is null',
            'unknown_supplier_id': 'supplier_id is not null and loaded_supplier_id is null',
            'invalid_cpv_code': 'cpv_code_text is not null and cpv_code is null',
            'cpv_check_digit_mismatch': 'is_cpv_check_digit_mismatch',
            'invalid_end_date': 'end_date_text is not null and end_date is null',
            'invalid_is_framework': 'is_framework_text is not null and is_framework is null',
            'invalid_isv_clause': 'isv_clause is null',
            'invalid_sroi_obligation_eur':
                'sroi_obligation_eur_text is not null and coalesce(sroi_obligation_eur < 0, true)',
            'invalid_is_reserved': 'is_reserved_text is not null and is_reserved is null',
        }) }} as warnings
    from parsed
    left join organisations
        on parsed.organisation_id = organisations.loaded_organisation_id
    left join organisation_ancestors
        on
            parsed.organisation_id = organisation_ancestors.organisation_id
            and parsed.delivering_organisation_id = organisation_ancestors.ancestor_organisation_id
    left join suppliers
        on parsed.supplier_id = suppliers.loaded_supplier_id
    left join tenders
        on parsed.tender_id = tenders.loaded_tender_id
),

final as (
    select
        contract_id,
        loaded_tender_id as tender_id,
        organisation_id,
        supplier_id,
        cpv_code,
        contract_type,
        start_date,
        end_date,
        contract_value_eur,
        coalesce(is_framework, false) as is_framework,
        isv_clause,
        case when sroi_obligation_eur >= 0 then sroi_obligation_eur end as sroi_obligation_eur,
        coalesce(is_reserved, false) as is_reserved,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('contracts') }} as record_id,
        {{ landing_original_record('contracts') }} as original_record
    from validated
)

select * from final
