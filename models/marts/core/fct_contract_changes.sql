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
        curr.start_date,
        prev.start_date as previous_start_date,
        curr.end_date,
        prev.end_date as previous_end_date,
        curr.contract_value_eur,
        prev.contract_value_eur as previous_contract_value_eur,
        curr.isv_clause,
        prev.isv_clause as previous_isv_clause,
        curr.sroi_obligation_eur,
        prev.sroi_obligation_eur as previous_sroi_obligation_eur,
        curr.is_reserved,
        prev.is_reserved as previous_is_reserved,
        curr.tender_id is distinct from prev.tender_id
        or curr.supplier_id is distinct from prev.supplier_id
        or curr.cpv_code is distinct from prev.cpv_code
        or curr.contract_type is distinct from prev.contract_type
        or curr.is_framework is distinct from prev.is_framework
            as is_other_attribute_changed
    from versions as curr
    inner join versions as prev
        on curr.contract_id = prev.contract_id
        and curr.version_number = prev.version_number + 1
),

final as (
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
        {{ year_of('start_date') }} as start_year,
        start_date is distinct from previous_start_date as is_start_date_changed,
        previous_end_date,
        end_date,
        end_date is distinct from previous_end_date as is_end_date_changed,
        previous_contract_value_eur,
        contract_value_eur,
        contract_value_eur - previous_contract_value_eur as contract_value_change_eur,
        contract_value_eur is distinct from previous_contract_value_eur as is_contract_value_changed,
        previous_isv_clause,
        isv_clause,
        isv_clause is distinct from previous_isv_clause as is_isv_clause_changed,
        previous_sroi_obligation_eur,
        sroi_obligation_eur,
        sroi_obligation_eur is distinct from previous_sroi_obligation_eur as is_sroi_obligation_changed,
        previous_is_reserved,
        is_reserved,
        is_reserved is distinct from previous_is_reserved as is_reserved_changed,
        organisation_id is distinct from previous_organisation_id or is_other_attribute_changed
            as is_other_attribute_changed
    from consecutive
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
from final
