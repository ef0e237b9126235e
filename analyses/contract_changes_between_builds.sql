-- Auditor query: what changed in the contracts between deliveries, per build.
-- grain: one row per build (changed_at) that saw at least one contract change
-- Reads fct_contract_changes (from the snap_contracts history). For each build: contracts
-- changed, deleted (no longer loaded) and restored, the net change in contract value, ISV
-- clauses switched on or off, changed SROI obligations and end dates, and the contract start
-- years whose contract KPIs (ISV-01, ISV-02, SRO-01, SRO-02) the changes restate; a changed
-- end_date or obligation also restates SRO-03 of the end years involved. Compile with
-- `dbt compile -s contract_changes_between_builds` and run the SQL in
-- target/compiled/mvoi/analyses/ against the build database.
with

contract_changes as (
    select * from {{ ref('fct_contract_changes') }}
),

per_build as (
    select
        changed_at,
        count(*) as change_count,
        sum(case when change_type = 'changed' then 1 else 0 end) as contracts_changed,
        sum(case when change_type = 'deleted' then 1 else 0 end) as contracts_deleted,
        sum(case when change_type = 'restored' then 1 else 0 end) as contracts_restored,
        sum(case when is_contract_value_changed and change_type = 'changed' then 1 else 0 end)
            as contract_value_changes,
        sum(case when change_type = 'changed' then coalesce(contract_value_change_eur, 0) else 0 end)
            as net_contract_value_change_eur,
        sum(case when coalesce(previous_isv_clause, false) = false and isv_clause then 1 else 0 end)
            as isv_clauses_switched_on,
        sum(case when previous_isv_clause and coalesce(isv_clause, false) = false then 1 else 0 end)
            as isv_clauses_switched_off,
        sum(case when is_sroi_obligation_changed then 1 else 0 end) as sroi_obligation_changes,
        sum(case when is_end_date_changed then 1 else 0 end) as end_date_changes,
        sum(case when is_start_date_changed then 1 else 0 end) as start_date_changes,
        min(start_year) as earliest_restated_start_year,
        max(start_year) as latest_restated_start_year
    from contract_changes
    group by changed_at
),

final as (
    select
        changed_at,
        change_count,
        contracts_changed,
        contracts_deleted,
        contracts_restored,
        contract_value_changes,
        net_contract_value_change_eur,
        isv_clauses_switched_on,
        isv_clauses_switched_off,
        sroi_obligation_changes,
        end_date_changes,
        start_date_changes,
        earliest_restated_start_year,
        latest_restated_start_year
    from per_build
)

select
    changed_at,
    change_count,
    contracts_changed,
    contracts_deleted,
    contracts_restored,
    contract_value_changes,
    net_contract_value_change_eur,
    isv_clauses_switched_on,
    isv_clauses_switched_off,
    sroi_obligation_changes,
    end_date_changes,
    start_date_changes,
    earliest_restated_start_year,
    latest_restated_start_year
from final
order by changed_at
