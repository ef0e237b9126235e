-- grain: one row per distinct tender_criteria record of the delivery (exact duplicates
-- collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('tender_criteria') %}
{%- set landing_key = landing_contract_key('tender_criteria') %}
with

source as not materialized (
    select * from {{ source('landing', 'tender_criteria') }}
),

tenders as (
    select tender_id as loaded_tender_id from {{ ref('stg_landing__tenders') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'tender_criteria', landing_columns, landing_key) }}
),

parsed as (
    select
        criterion_id,
        tender_id,
        {{ parse_landing_code('tender_criteria', 'theme') }} as theme,
        {{ parse_landing_code('tender_criteria', 'criterion_kind') }} as criterion_kind,
        {{ parse_int('ambition_level') }} as ambition_level,
        ambition_level as ambition_level_text,
        {{ parse_number('award_weight_pct') }} as award_weight_pct,
        award_weight_pct as award_weight_pct_text,
        {{ parse_landing_code('tender_criteria', 'r_level') }}
            as r_level,
        r_level as r_level_text,
        {{ parse_landing_code('tender_criteria', 'source') }} as source,  -- noqa: RF04
        delivery_id,
        delivering_organisation_id,
        delivery_period,
        is_conflicting_duplicate,
        exact_duplicates_removed,
        id_scope,
        delivered_record
    from deduplicated
),

-- ambition level 1-3; award weight 0-100 and only for award criteria; R-level only for
-- circular criteria: anything else delivered is a warning and set to null
ranged as (
    select
        *,
        coalesce(ambition_level between 1 and 3, false) as is_ambition_level_valid,
        coalesce(
            award_weight_pct between 0 and 100 and criterion_kind = 'award_criterion', false
        ) as is_award_weight_pct_valid,
        coalesce(r_level is not null and theme = 'circulair', false) as is_r_level_valid
    from parsed
),

validated as (
    select
        ranged.*,
        {{ collect_reasons({
            'missing_key': 'criterion_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_tender_id': 'loaded_tender_id is null',
        }, tender_criterion_record_rules()) }} as fatal_reasons,
        {{ collect_reasons({
            'invalid_ambition_level': 'ambition_level_text is not null and not is_ambition_level_valid',
            'invalid_award_weight_pct': 'award_weight_pct_text is not null and not is_award_weight_pct_valid',
            'invalid_r_level': 'r_level_text is not null and not is_r_level_valid',
            'invalid_source': 'source is null',
        }) }} as warnings
    from ranged
    left join tenders
        on ranged.tender_id = tenders.loaded_tender_id
),

final as (
    select
        criterion_id,
        tender_id,
        theme,
        criterion_kind,
        case when is_ambition_level_valid then ambition_level end as ambition_level,
        case when is_award_weight_pct_valid then award_weight_pct end as award_weight_pct,
        case when is_r_level_valid then r_level end as r_level,
        source,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('tender_criteria') }} as record_id,
        {{ landing_original_record('tender_criteria') }} as original_record
    from validated
)

select * from final
