-- grain: one row per distinct social_return_realisations record of the delivery (exact
-- duplicates collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('social_return_realisations') %}
{%- set landing_key = landing_contract_key('social_return_realisations') %}
with

source as not materialized (
    select * from {{ source('landing', 'social_return_realisations') }}
),

contracts as (
    select contract_id as loaded_contract_id from {{ ref('stg_landing__contracts') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'social_return_realisations', landing_columns, landing_key) }}
),

parsed as (
    select
        realisation_id,
        contract_id,
        {{ parse_iso_date('period_end') }} as period_end,
        {{ parse_amount('realised_value_eur') }} as realised_value_eur,
        {{ parse_number('placements_fte') }} as placements_fte,
        placements_fte as placements_fte_text,
        {{ parse_landing_code('social_return_realisations', 'target_group') }}
            as target_group,
        target_group as target_group_text,
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
            'missing_key': 'realisation_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'unknown_contract_id': 'loaded_contract_id is null',
            'invalid_period_end': 'period_end is null',
            'outside_delivery_period': 'delivery_period is not null and year(period_end) <> delivery_period',
            'invalid_realised_value_eur': 'coalesce(realised_value_eur < 0, true)',
        }) }} as fatal_reasons,
        {{ collect_reasons({
            'invalid_placements_fte':
                'placements_fte_text is not null and coalesce(placements_fte < 0, true)',
            'invalid_target_group': 'target_group_text is not null and target_group is null',
        }) }} as warnings
    from parsed
    left join contracts
        on parsed.contract_id = contracts.loaded_contract_id
),

final as (
    select
        realisation_id,
        contract_id,
        period_end,
        realised_value_eur,
        case when placements_fte >= 0 then placements_fte end as placements_fte,
        target_group,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('social_return_realisations') }} as record_id,
        {{ landing_original_record('social_return_realisations') }} as original_record
    from validated
)

select * from final
