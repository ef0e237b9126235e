-- grain: one row per distinct tenders record of the delivery (exact duplicates collapsed),
-- loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('tenders') %}
{%- set landing_key = landing_contract_key('tenders') %}
with

source as not materialized (
    select * from {{ source('landing', 'tenders') }}
),

organisations as (
    select organisation_id as loaded_organisation_id from {{ ref('stg_landing__organisations') }}
),

organisation_ancestors as (
    select * from {{ ref('stg_landing__organisation_ancestors') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'tenders', landing_columns, landing_key) }}
),

parsed as (
    select
        tender_id,
        organisation_id,
        title,
        {{ normalize_cpv('cpv_code') }} as cpv_code,
        cpv_code as cpv_code_text,
        {{ cpv_check_digit_mismatch('cpv_code') }} as is_cpv_check_digit_mismatch,
        {{ parse_landing_code('tenders', 'contract_type') }} as contract_type,
        {{ parse_landing_code('tenders', 'procedure') }} as procedure,  -- noqa: RF04
        procedure as procedure_text,
        {{ parse_iso_date('publication_date') }} as publication_date,
        publication_date as publication_date_text,
        {{ parse_iso_date('award_date') }} as award_date,
        award_date as award_date_text,
        {{ parse_landing_code('tenders', 'status') }} as status,
        {{ parse_amount('estimated_value_eur') }} as estimated_value_eur,
        estimated_value_eur as estimated_value_eur_text,
        {{ parse_amount('awarded_value_eur') }} as awarded_value_eur,
        awarded_value_eur as awarded_value_eur_text,
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
            'missing_key': 'tender_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_organisation_id': 'loaded_organisation_id is null',
            'other_organisation':
                'delivering_organisation_id is not null and loaded_organisation_id is not null'
                ~ ' and organisation_ancestors.organisation_id is null',
        }, tender_record_rules()) }} as fatal_reasons,
        {{ collect_reasons({
            'missing_title': 'title is null',
            'invalid_cpv_code': 'cpv_code_text is not null and cpv_code is null',
            'cpv_check_digit_mismatch': 'is_cpv_check_digit_mismatch',
            'invalid_procedure': 'procedure_text is not null and procedure is null',
            'invalid_publication_date':
                'publication_date_text is not null and publication_date is null',
            'invalid_award_date': 'award_date_text is not null and award_date is null',
            'award_before_publication': 'award_date < publication_date',
            'invalid_estimated_value_eur':
                'estimated_value_eur_text is not null and coalesce(estimated_value_eur < 0, true)',
            'invalid_awarded_value_eur':
                'awarded_value_eur_text is not null and coalesce(awarded_value_eur < 0, true)',
        }) }} as warnings
    from parsed
    left join organisations
        on parsed.organisation_id = organisations.loaded_organisation_id
    left join organisation_ancestors
        on
            parsed.organisation_id = organisation_ancestors.organisation_id
            and parsed.delivering_organisation_id = organisation_ancestors.ancestor_organisation_id
),

final as (
    select
        tender_id,
        organisation_id,
        title,
        cpv_code,
        contract_type,
        procedure,
        publication_date,
        award_date,
        status,
        case when estimated_value_eur >= 0 then estimated_value_eur end as estimated_value_eur,
        case when awarded_value_eur >= 0 then awarded_value_eur end as awarded_value_eur,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('tenders') }} as record_id,
        {{ landing_original_record('tenders') }} as original_record
    from validated
)

select * from final
