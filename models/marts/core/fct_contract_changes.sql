-- grain: one row per change of a contract between two consecutive versions of snap_contracts
-- (a build that saw a contract differ from, or disappear from, the previous build's delivery)
-- The old and new values of the attributes that drive the contract KPIs side by side, with a
-- flag per attribute. The first version of a contract is not a change and has no row.
with

contract_versions as (
    select * from {{ ref('snap_contracts') }}
),

versions as (
    select
        contract_id,
        dbt_scd_id,
        dbt_valid_from,
        coalesce(cast(dbt_is_deleted as varchar) = 'True', false) as is_deletion,
        tender_id,
        organisation_id,
        supplier_id,
        cpv_code,
        contract_type,
        start_date,
        end_date,
        contract_value_eur,
        is_framework,
        isv_clause,
        sroi_obligation_eur,
        is_reserved,
        row_number() over (partition by contract_id order by dbt_valid_from) as version_number
    from contract_versions
),

consecutive as (
    select
        curr.dbt_scd_id as change_id,
        curr.contract_id,
        curr.version_number,
        prev.dbt_valid_from as previous_version_from,
        curr.dbt_valid_from as changed_at,
        case
            when curr.is_deletion and not prev.is_deletion then 'deleted'
            when prev.is_deletion and not curr.is_deletion then 'restored'
            else 'changed'
        end as change_type,
        curr.organisation_id,
        prev.organisation_id as previous_organisation_id,
        prev.start_date as previous_start_date,
        curr.start_date,
        {{ year_of('curr.start_date') }} as start_year,
        {{ values_differ('curr.start_date', 'prev.start_date') }} as is_start_date_changed,
        prev.end_date as previous_end_date,
        curr.end_date,
        {{ values_differ('curr.end_date', 'prev.end_date') }} as is_end_date_changed,
        prev.contract_value_eur as previous_contract_value_eur,
        curr.contract_value_eur,
        curr.contract_value_eur - prev.contract_value_eur as contract_value_change_eur,
        {{ values_differ('curr.contract_value_eur', 'prev.contract_value_eur') }} as is_contract_value_changed,
        prev.isv_clause as previous_isv_clause,
        curr.isv_clause,
        {{ values_differ('curr.isv_clause', 'prev.isv_clause') }} as is_isv_clause_changed,
        prev.sroi_obligation_eur as previous_sroi_obligation_eur,
        curr.sroi_obligation_eur,
        {{ values_differ('curr.sroi_obligation_eur', 'prev.sroi_obligation_eur') }} as is_sroi_obligation_changed,
        prev.is_reserved as previous_is_reserved,
        curr.is_reserved,
        {{ values_differ('curr.is_reserved', 'prev.is_reserved') }} as is_reserved_changed,
        {{ values_differ('curr.organisation_id', 'prev.organisation_id') }}
        or {{ values_differ('curr.tender_id', 'prev.tender_id') }}
        or {{ values_differ('curr.supplier_id', 'prev.supplier_id') }}
        or {{ values_differ('curr.cpv_code', 'prev.cpv_code') }}
        or {{ values_differ('curr.contract_type', 'prev.contract_type') }}
        or {{ values_differ('curr.is_framework', 'prev.is_framework') }} as is_other_attribute_changed
    from versions as curr
    inner join versions as prev
        on
            curr.contract_id = prev.contract_id
            and curr.version_number = prev.version_number + 1
)

select
    change_id,
    contract_id,
    version_number,
    previous_version_from,
    changed_at,
    change_type,
    organisation_id,
    previous_organisation_id,
    previous_start_date,
    start_date,
    start_year,
    is_start_date_changed,
    previous_end_date,
    end_date,
    is_end_date_changed,
    previous_contract_value_eur,
    contract_value_eur,
    contract_value_change_eur,
    is_contract_value_changed,
    previous_isv_clause,
    isv_clause,
    is_isv_clause_changed,
    previous_sroi_obligation_eur,
    sroi_obligation_eur,
    is_sroi_obligation_changed,
    previous_is_reserved,
    is_reserved,
    is_reserved_changed,
    is_other_attribute_changed
from consecutive
