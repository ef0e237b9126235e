-- grain: one row per declared objective (criterion_id) of a published lot; a row without id or
-- lot, or failing a rule of tender_criterion_record_rules, is left out (the ingest writes none).
with

source as (
    select * from {{ source('notices', 'tender_criteria') }}
),

parsed as (
    select
        {{ clean_text('criterion_id') }} as criterion_id,
        {{ clean_text('tender_id') }} as tender_id,
        {{ parse_landing_code('tender_criteria', 'theme') }} as theme,
        {{ parse_landing_code('tender_criteria', 'criterion_kind') }} as criterion_kind,
        {{ parse_int('ambition_level') }} as ambition_level,
        {{ parse_landing_code('tender_criteria', 'source') }} as source  -- noqa: RF04
    from source
),

final as (
    select
        criterion_id,
        tender_id,
        theme,
        criterion_kind,
        case when ambition_level between 1 and 3 then ambition_level end as ambition_level,
        source
    from parsed
    where
        criterion_id is not null
        and tender_id is not null
        and len({{ collect_reasons(tender_criterion_record_rules()) }}) = 0
)

select * from final
