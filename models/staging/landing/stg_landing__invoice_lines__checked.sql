-- grain: one row per distinct invoice_lines record of the delivery (exact duplicates
-- collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
-- Personal data: description leaves the deduplication step only as description_hash.
{%- set landing_columns = landing_contract_columns('invoice_lines') %}
{%- set landing_key = landing_contract_key('invoice_lines') %}
with

source as not materialized (
    select * from {{ source('landing', 'invoice_lines') }}
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

contracts as (
    select contract_id as loaded_contract_id from {{ ref('stg_landing__contracts') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'invoice_lines', landing_columns, landing_key) }}
),

parsed as (
    select
        invoice_line_id,
        invoice_number,
        organisation_id,
        supplier_id,
        contract_id,
        {{ parse_iso_date('invoice_date') }} as invoice_date,
        {{ parse_amount('amount') }} as amount,
        {{ parse_landing_code('invoice_lines', 'currency') }} as currency,
        {{ normalize_cpv('cpv_code') }} as cpv_code,
        cpv_code as cpv_code_text,
        {{ cpv_check_digit_mismatch('cpv_code') }} as is_cpv_check_digit_mismatch,
        description_hash,
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
        contracts.loaded_contract_id,
        {{ collect_reasons({
            'missing_key': 'invoice_line_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_organisation_id': 'loaded_organisation_id is null',
            'other_organisation':
                'delivering_organisation_id is not null and loaded_organisation_id is not null'
                ~ ' and organisation_ancestors.organisation_id is null',
            'missing_supplier_id': 'supplier_id is null',
            'invalid_invoice_date': 'invoice_date is null',
            'outside_delivery_period': 'delivery_period is not null and year(invoice_date) <> delivery_period',
            'invalid_amount': 'amount is null',
            'unsupported_currency': 'currency is null',
        }) }} as fatal_reasons,
        {{ collect_reasons({
            'missing_invoice_number': 'invoice_number is null',
            'unknown_supplier_id': 'supplier_id is not null and loaded_supplier_id is null',
            'unknown_contract_id': 'contract_id is not null and loaded_contract_id is null',
            'invalid_cpv_code': 'cpv_code_text is not null and cpv_code is null',
            'cpv_check_digit_mismatch': 'is_cpv_check_digit_mismatch',
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
    left join contracts
        on parsed.contract_id = contracts.loaded_contract_id
),

final as (
    select
        invoice_line_id,
        invoice_number,
        organisation_id,
        supplier_id,
        loaded_contract_id as contract_id,
        invoice_date,
        amount,
        currency,
        cpv_code,
        description_hash,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('invoice_lines') }} as record_id,
        {{ landing_original_record('invoice_lines') }} as original_record
    from validated
)

select * from final
