-- grain: one row per distinct suppliers record of the delivery (exact duplicates collapsed),
-- loaded or rejected; a row is rejected when fatal_reasons is not empty.
-- Personal data: contact_email leaves the deduplication step only as contact_email_hash.
{%- set landing_columns = landing_contract_columns('suppliers') %}
{%- set landing_key = landing_contract_key('suppliers') %}
with

source as not materialized (
    select * from {{ source('landing', 'suppliers') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'suppliers', landing_columns, landing_key) }}
),

parsed as (
    select
        supplier_id,
        name,
        case when {{ is_valid_kvk('kvk_number') }} then kvk_number end as kvk_number,
        kvk_number as kvk_number_text,
        {{ parse_code('country_code', iso_country_codes(), case='upper') }} as country_code,
        country_code as country_code_text,
        {{ parse_landing_code('suppliers', 'size_class') }} as size_class,
        {{ parse_bool('is_social_enterprise') }} as is_social_enterprise,
        is_social_enterprise as is_social_enterprise_text,
        contact_email_hash,
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
        *,
        {{ collect_reasons({
            'missing_key': 'supplier_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
        }) }} as fatal_reasons,
        {{ collect_reasons({
            'missing_name': 'name is null',
            'invalid_kvk_number': 'kvk_number_text is not null and kvk_number is null',
            'missing_kvk_number': "kvk_number_text is null and country_code = 'NL'",
            'invalid_country_code': 'country_code_text is not null and country_code is null',
            'invalid_size_class': 'size_class is null',
            'invalid_is_social_enterprise':
                'is_social_enterprise_text is not null and is_social_enterprise is null',
        }) }} as warnings
    from parsed
),

final as (
    select
        supplier_id,
        name,
        kvk_number,
        country_code,
        coalesce(size_class, 'unknown') as size_class,
        is_social_enterprise,
        contact_email_hash,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        delivering_organisation_id,
        -- the supplier_id as delivered, without the delivering organisation's scope
        case
            when delivering_organisation_id is null then supplier_id
            else substr(supplier_id, length(delivering_organisation_id) + 2)
        end as source_supplier_id,
        exact_duplicates_removed,
        {{ landing_record_id('suppliers') }} as record_id,
        {{ landing_original_record('suppliers') }} as original_record
    from validated
)

select * from final
