-- grain: one row per distinct organisations record of the delivery (exact duplicates
-- collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('organisations') %}
{%- set landing_key = landing_contract_key('organisations') %}
with

source as (
    select * from {{ source('landing', 'organisations') }}
),

deduplicated as (
    {{ landing_deduplicate('source', 'organisations', landing_columns, landing_key) }}
),

parsed as (
    select
        organisation_id,
        name,
        {{ parse_landing_code('organisations', 'government_layer') }}
            as government_layer,
        parent_organisation_id,
        is_conflicting_duplicate,
        exact_duplicates_removed,
        record_id,
        original_record
    from deduplicated
),

with_fatal_reasons as (
    select
        *,
        {{ collect_reasons({
            'missing_key': 'organisation_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'invalid_organisation_id': 'organisation_id is not null and not ' ~ is_valid_oin('organisation_id'),
            'missing_name': 'name is null',
            'invalid_government_layer': 'government_layer is null',
        }) }} as fatal_reasons
    from parsed
),

-- the parent must be a loaded organisation: this entity refers to itself
loaded_organisations as (
    select organisation_id as loaded_organisation_id
    from with_fatal_reasons
    where len(fatal_reasons) = 0
),

validated as (
    select
        with_fatal_reasons.*,
        loaded_organisations.loaded_organisation_id as known_parent_organisation_id,
        {{ collect_reasons({
            'unknown_parent_organisation_id':
                'parent_organisation_id is not null and loaded_organisation_id is null',
        }) }} as warnings
    from with_fatal_reasons
    left join loaded_organisations
        on with_fatal_reasons.parent_organisation_id = loaded_organisations.loaded_organisation_id
),

final as (
    select
        organisation_id as source_key,
        organisation_id,
        name,
        government_layer,
        known_parent_organisation_id as parent_organisation_id,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        exact_duplicates_removed,
        record_id,
        original_record
    from validated
)

select * from final
