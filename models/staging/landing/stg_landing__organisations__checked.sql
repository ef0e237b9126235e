-- grain: one row per distinct organisations record of the delivery (exact duplicates
-- collapsed), loaded or rejected; a row is rejected when fatal_reasons is not empty.
{%- set landing_columns = landing_contract_columns('organisations') %}
{%- set landing_key = landing_contract_key('organisations') %}
with recursive

source as not materialized (
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
        delivery_id,
        delivering_organisation_id,
        is_conflicting_duplicate,
        exact_duplicates_removed,
        id_scope,
        delivered_record
    from deduplicated
),

-- a delivery of one organisation may hold that organisation and the ones below it (by
-- parent_organisation_id within the delivery), nothing else
delivered_family (delivery_id, organisation_id) as (
    select distinct
        delivery_id,
        delivering_organisation_id
    from parsed
    where delivering_organisation_id is not null
    union
    select
        parsed.delivery_id,
        parsed.organisation_id
    from parsed
    inner join delivered_family
        on
            parsed.delivery_id = delivered_family.delivery_id
            and parsed.parent_organisation_id = delivered_family.organisation_id
),

with_fatal_reasons as (
    select
        parsed.*,
        {{ collect_reasons({
            'missing_key': 'parsed.organisation_id is null',
            'conflicting_duplicate': 'is_conflicting_duplicate',
            'invalid_organisation_id': 'parsed.organisation_id is not null and not ' ~ is_valid_oin('parsed.organisation_id'),
            'other_organisation':
                'delivering_organisation_id is not null and delivered_family.organisation_id is null',
            'missing_name': 'name is null',
            'invalid_government_layer': 'government_layer is null',
        }) }} as fatal_reasons
    from parsed
    left join delivered_family
        on
            parsed.delivery_id = delivered_family.delivery_id
            and parsed.organisation_id = delivered_family.organisation_id
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
        organisation_id,
        name,
        government_layer,
        known_parent_organisation_id as parent_organisation_id,
        fatal_reasons,
        warnings,
        len(fatal_reasons) = 0 as is_loaded,
        delivery_id,
        exact_duplicates_removed,
        {{ landing_record_id('organisations') }} as record_id,
        {{ landing_original_record('organisations') }} as original_record
    from validated
)

select * from final
