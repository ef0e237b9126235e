-- grain: one row per published lot (tender_id); a row the landing contract would reject (no
-- tender_id or buyer, or a fatal rule of tender_record_rules) is left out. The ingest (mvoi
-- ingest-notices) already refuses such rows, so none is expected.
with

source as (
    select * from {{ source('notices', 'tenders') }}
),

parsed as (
    select
        {{ clean_text('tender_id') }} as tender_id,
        {{ clean_text('organisation_id') }} as organisation_id,
        {{ clean_text('title') }} as title,
        {{ normalize_cpv('cpv_code') }} as cpv_code,
        {{ parse_landing_code('tenders', 'contract_type') }} as contract_type,
        {{ parse_landing_code('tenders', 'procedure') }} as procedure,  -- noqa: RF04
        {{ parse_iso_date('publication_date') }} as publication_date,
        {{ parse_iso_date('award_date') }} as award_date,
        {{ parse_landing_code('tenders', 'status') }} as status,
        {{ parse_amount('estimated_value_eur') }} as estimated_value_eur,
        {{ parse_amount('awarded_value_eur') }} as awarded_value_eur
    from source
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
        case when awarded_value_eur >= 0 then awarded_value_eur end as awarded_value_eur
    from parsed
    where
        tender_id is not null
        and organisation_id is not null
        and len({{ collect_reasons(tender_record_rules()) }}) = 0
)

select * from final
