-- The floor: every fct_kpi_values row computed in one plain, set-based DuckDB script, straight
-- from a landing folder and the reference seeds. An independent reading of the KPI register
-- (docs/kpi_register.md), not of the dbt models; scripts/benchmark_floor.py runs it and
-- compares its rows with the published marts.fct_kpi_values.
--
-- Parameters (DuckDB variables, set before the script runs):
--   landing         the landing folder (required)
--   landing_format  'parquet' (default) or 'csv'
--   seeds           the reference seed folder (default: seeds/reference, from the project root)
-- Result: the table kpi_values.
--
-- Scope: right on a fault-free delivery (`mvoi generate --fault-rate 0`): there every row
-- loads and no row is duplicated, so the script types, trims and applies the fatal rules
-- that decide whether a row loads, but does not look for duplicates or write rejections.
--
-- From the project root (scripts/benchmark_floor.py does the same in a child process):
--   .venv/bin/python -c "import duckdb, pathlib; con = duckdb.connect();
--       con.execute(\"set variable landing = '/tmp/landing'\");
--       con.execute(pathlib.Path('scripts/kpi_floor.sql').read_text()); print(con.sql('from kpi_values'))"

-- readers ------------------------------------------------------------------------------------

-- one landing entity, every column as text (as the warehouse's raw layer holds it)
create or replace temp macro landing(entity) as table
from query(
    case coalesce(getvariable('landing_format'), 'parquet')
        when 'csv' then format(
            'from read_csv(''{}/{}.csv'', all_varchar = true, header = true, quote = ''"'', escape = ''"'')',
            getvariable('landing'), entity
        )
        else format('from read_parquet(''{}/{}.parquet'')', getvariable('landing'), entity)
    end
);

create or replace temp macro seed(name) as table
from read_csv(
    coalesce(getvariable('seeds'), 'seeds/reference') || '/' || name || '.csv',
    all_varchar = true, header = true
);

-- the landing contract's value rules ------------------------------------------------------

-- trimmed; '' and the literal null (any case) are missing
create or replace temp macro clean(v) as
case
    when trim(v) = '' or lower(trim(v)) = 'null' then null
    else trim(v)
end;

create or replace temp macro to_bool(v) as
case
    when lower(clean(v)) in ('true', '1', 'yes', 'ja') then true
    when lower(clean(v)) in ('false', '0', 'no', 'nee') then false
end;

-- money is kept in cents: decimal(18, 2) rounds extra decimals half away from zero
create or replace temp macro to_amount(v) as
case when regexp_full_match(clean(v), '-?[0-9]+(\.[0-9]+)?') then try_cast(clean(v) as decimal(18, 2)) end;

create or replace temp macro to_number(v) as
case when regexp_full_match(clean(v), '-?[0-9]+(\.[0-9]+)?') then try_cast(clean(v) as double) end;

-- whole numbers; '3.0' is 3 (a Parquet double column arrives as text)
create or replace temp macro to_int(v) as
case when regexp_full_match(clean(v), '-?[0-9]+(\.0+)?') then try_cast(split_part(clean(v), '.', 1) as integer) end;

-- ISO dates only: 31-12-2024 is invalid, never re-read
create or replace temp macro to_date(v) as
case when regexp_full_match(clean(v), '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_cast(clean(v) as date) end;

-- 12345678 or 12345678-9 -> the 8 digits; membership of the CPV list is a join below
create or replace temp macro cpv8(v) as
case when regexp_full_match(clean(v), '[0-9]{8}(-[0-9])?') then left(clean(v), 8) end;

-- reference data ------------------------------------------------------------------------------

create or replace temp table cpv_codes as
select lpad(code, 8, '0') as cpv_code
from seed('cpv_codes');

-- a CPV code's product group: the group of its longest matching prefix
create or replace temp table cpv_isv_risk as
select
    cpv_codes.cpv_code,
    arg_max(nullif(trim(groups.isv_risk_category), ''), length(prefixes.cpv_prefix)) is not null
        as is_isv_risk
from cpv_codes
inner join seed('product_group_cpv_prefixes') as prefixes
    on starts_with(cpv_codes.cpv_code, prefixes.cpv_prefix)
inner join seed('mvi_product_groups') as groups
    on prefixes.product_group_id = groups.product_group_id
group by cpv_codes.cpv_code;

create or replace temp table emission_factors as
select
    lpad(cpv_division, 2, '0') as cpv_division,
    cast(kg_co2e_per_eur as double) as kg_co2e_per_eur
from seed('emission_factors');

-- loaded landing rows -----------------------------------------------------------------------

create or replace temp table organisations as
select
    organisation_id,
    government_layer
from (
    select
        clean(organisation_id) as organisation_id,
        clean(name) as name,
        lower(clean(government_layer)) as government_layer
    from landing('organisations')
)
where
    regexp_full_match(organisation_id, '[0-9]{20}')
    and name is not null
    and government_layer in ('rijk', 'provincie', 'gemeente', 'waterschap', 'overig');

create or replace temp table suppliers as
select
    clean(supplier_id) as supplier_id,
    coalesce(
        case when lower(clean(size_class)) in ('micro', 'small', 'medium', 'large') then lower(clean(size_class)) end,
        'unknown'
    ) as size_class,
    to_bool(is_social_enterprise) as is_social_enterprise
from landing('suppliers')
where clean(supplier_id) is not null;

create or replace temp table certificates as
select
    typed.supplier_id,
    typed.scheme,
    typed.ladder_version,
    typed.level,
    typed.valid_from,
    typed.valid_to
from (
    select
        clean(supplier_id) as supplier_id,
        lower(clean(scheme)) as scheme,
        -- a ladder version only means something on a CO2-Prestatieladder certificate
        case
            when lower(clean(scheme)) = 'co2_prestatieladder' and clean(ladder_version) in ('3.1', '4.0')
                then clean(ladder_version)
        end as ladder_version,
        to_int(level) as level,
        clean(level) as level_text,
        to_date(valid_from) as valid_from,
        to_date(valid_to) as valid_to
    from landing('supplier_certificates')
) as typed
inner join suppliers
    on typed.supplier_id = suppliers.supplier_id
where
    typed.scheme in ('co2_prestatieladder', 'pso', 'iso_14001', 'emas')
    and typed.valid_from is not null
    and typed.valid_from <= coalesce(typed.valid_to, typed.valid_from)
    -- the level range per scheme (and ladder version)
    and case
        when typed.scheme = 'co2_prestatieladder' and typed.ladder_version = '4.0'
            then coalesce(typed.level between 1 and 3, false)
        when typed.scheme = 'co2_prestatieladder' then coalesce(typed.level between 1 and 5, false)
        when typed.scheme = 'pso' then coalesce(typed.level between 0 and 3, false)
        else typed.level_text is null
    end;

create or replace temp table tenders as
select
    typed.tender_id,
    typed.organisation_id,
    organisations.government_layer,
    typed.status,
    extract(year from typed.award_date) as award_year,
    -- the awarded value, else the estimate (a negative amount is dropped)
    coalesce(
        case when typed.awarded_value_eur >= 0 then typed.awarded_value_eur end,
        case when typed.estimated_value_eur >= 0 then typed.estimated_value_eur end
    ) as tender_value_eur
from (
    select
        clean(tender_id) as tender_id,
        clean(organisation_id) as organisation_id,
        lower(clean(contract_type)) as contract_type,
        lower(clean(status)) as status,
        to_date(award_date) as award_date,
        to_amount(awarded_value_eur) as awarded_value_eur,
        to_amount(estimated_value_eur) as estimated_value_eur
    from landing('tenders')
) as typed
inner join organisations
    on typed.organisation_id = organisations.organisation_id
where
    typed.tender_id is not null
    and typed.contract_type in ('works', 'supplies', 'services')
    and typed.status in ('planned', 'active', 'awarded', 'cancelled')
    and not (typed.status = 'awarded' and typed.award_date is null);

-- per tender: criteria count, highest valid ambition level (1-3) and the themes it has
create or replace temp table tender_criteria as
select
    typed.tender_id,
    count(*) as criteria_count,
    max(case when typed.ambition_level between 1 and 3 then typed.ambition_level end) as highest_ambition_level,
    bool_or(typed.theme = 'klimaat') as has_klimaat,
    bool_or(typed.theme = 'circulair') as has_circulair,
    bool_or(typed.theme = 'milieu') as has_milieu,
    bool_or(typed.theme = 'diversiteit_inclusie') as has_diversiteit_inclusie
from (
    select
        clean(tender_id) as tender_id,
        lower(clean(theme)) as theme,
        lower(clean(criterion_kind)) as criterion_kind,
        to_int(ambition_level) as ambition_level
    from landing('tender_criteria')
    where clean(criterion_id) is not null
) as typed
inner join tenders
    on typed.tender_id = tenders.tender_id
where
    typed.theme in ('milieu', 'klimaat', 'circulair', 'isv', 'diversiteit_inclusie', 'social_return')
    and typed.criterion_kind in ('selection_criterion', 'minimum_requirement', 'award_criterion', 'contract_clause')
group by typed.tender_id;

create or replace temp table contracts as
select
    typed.contract_id,
    typed.organisation_id,
    organisations.government_layer,
    typed.cpv_code,
    extract(year from typed.start_date) as start_year,
    extract(year from typed.end_date) as end_year,
    typed.contract_value_eur,
    coalesce(typed.isv_clause, false) as is_isv_covered,
    coalesce(typed.is_reserved, false) as is_reserved,
    case when typed.sroi_obligation_eur >= 0 then typed.sroi_obligation_eur end as sroi_obligation_eur,
    coalesce(typed.sroi_obligation_eur > 0, false) as has_sroi_obligation,
    -- works or services, at least 250k, open-ended or running at least 6 calendar months
    coalesce(
        typed.contract_type in ('works', 'services')
        and typed.contract_value_eur >= 250000
        and (typed.end_date is null or typed.end_date >= cast(typed.start_date + interval 6 month as date)),
        false
    ) as is_sroi_eligible,
    -- above the EU threshold of the contract's type, authority class and start date, in an
    -- ISV-risk product group
    coalesce(typed.contract_value_eur >= cast(thresholds.threshold_eur as decimal(18, 2)), false)
    and coalesce(cpv_isv_risk.is_isv_risk, false) as is_above_threshold_isv_risk
from (
    select
        clean(contract_id) as contract_id,
        clean(organisation_id) as organisation_id,
        cpv_codes.cpv_code,
        lower(clean(contract_type)) as contract_type,
        to_date(start_date) as start_date,
        to_date(end_date) as end_date,
        to_amount(contract_value_eur) as contract_value_eur,
        to_bool(isv_clause) as isv_clause,
        to_bool(is_reserved) as is_reserved,
        to_amount(sroi_obligation_eur) as sroi_obligation_eur
    from landing('contracts') as raw_contracts
    left join cpv_codes
        on cpv8(raw_contracts.cpv_code) = cpv_codes.cpv_code
) as typed
inner join organisations
    on typed.organisation_id = organisations.organisation_id
left join seed('eu_thresholds') as thresholds
    on
        typed.contract_type = thresholds.contract_type
        and thresholds.authority_class
        = case when organisations.government_layer = 'rijk' then 'central' else 'sub_central' end
        and typed.start_date between cast(thresholds.valid_from as date) and cast(thresholds.valid_to as date)
left join cpv_isv_risk
    on typed.cpv_code = cpv_isv_risk.cpv_code
where
    typed.contract_id is not null
    and typed.contract_type in ('works', 'supplies', 'services')
    and typed.start_date is not null
    and not coalesce(typed.end_date < typed.start_date, false)
    and typed.contract_value_eur >= 0;

-- a yearly report on a contract (realisations, material reports): rows of a loaded contract,
-- with its organisation and the year of period_end
create or replace temp macro contract_reports(entity) as table
select
    raw_reports.*,
    contracts.contract_id as loaded_contract_id,
    contracts.organisation_id,
    contracts.government_layer,
    extract(year from to_date(raw_reports.period_end)) as period_year
from landing(entity) as raw_reports
inner join contracts
    on clean(raw_reports.contract_id) = contracts.contract_id;

create or replace temp table realisations as
select
    loaded_contract_id as contract_id,
    organisation_id,
    government_layer,
    period_year,
    to_amount(realised_value_eur) as realised_value_eur,
    case when to_number(placements_fte) >= 0 then to_number(placements_fte) end as placements_fte
from contract_reports('social_return_realisations')
where clean(realisation_id) is not null and period_year is not null and to_amount(realised_value_eur) >= 0;

create or replace temp table material_reports as
select
    organisation_id,
    government_layer,
    period_year,
    to_number(material_total_kg) as material_total_kg,
    to_number(secondary_material_kg) as secondary_material_kg
from contract_reports('material_reports')
where
    clean(report_id) is not null
    and period_year is not null
    and to_number(material_total_kg) > 0
    and to_number(secondary_material_kg) between 0 and to_number(material_total_kg);

-- invoice lines: loaded lines with their effective CPV (the line's own, else its contract's)
create or replace temp table invoice_lines as
select
    typed.organisation_id,
    organisations.government_layer,
    typed.supplier_id,
    typed.invoice_date,
    typed.amount,
    contracts.contract_id,
    coalesce(line_cpv.cpv_code, contracts.cpv_code) as effective_cpv_code
from (
    select
        clean(organisation_id) as organisation_id,
        clean(supplier_id) as supplier_id,
        clean(contract_id) as contract_id,
        to_date(invoice_date) as invoice_date,
        to_amount(amount) as amount,
        cpv8(cpv_code) as cpv_code
    from landing('invoice_lines')
    where clean(invoice_line_id) is not null and upper(clean(currency)) = 'EUR'
) as typed
inner join organisations
    on typed.organisation_id = organisations.organisation_id
left join contracts
    on typed.contract_id = contracts.contract_id
left join cpv_codes as line_cpv
    on typed.cpv_code = line_cpv.cpv_code
where typed.supplier_id is not null and typed.invoice_date is not null and typed.amount is not null;

-- the certificates a supplier holds on a day, once per (supplier, day) with spend rather than
-- once per line; both boundary days are inside the validity
create or replace temp table supplier_days as
select
    days.supplier_id,
    days.invoice_date,
    bool_or(
        certificates.scheme = 'co2_prestatieladder'
        and (
            (certificates.ladder_version = '4.0' and certificates.level >= 1)
            or (coalesce(certificates.ladder_version, '3.1') = '3.1' and certificates.level >= 3)
        )
    ) as has_co2_ladder,
    bool_or(certificates.scheme in ('iso_14001', 'emas')) as has_iso_14001_or_emas,
    bool_or(certificates.scheme = 'pso' and certificates.level >= 1) as has_pso_level_1_plus
from (select distinct supplier_id, invoice_date from invoice_lines) as days
inner join certificates
    on
        days.supplier_id = certificates.supplier_id
        and days.invoice_date >= certificates.valid_from
        and (certificates.valid_to is null or days.invoice_date <= certificates.valid_to)
group by days.supplier_id, days.invoice_date;

-- KPI numerators, denominators and record counts per organisation and year -------------------
-- One struct per KPI: {kpi_code, numerator, denominator, record_count}; the record count is
-- the number of records in the KPI's domain, and a row with none is dropped further down.

create or replace temp table spend_measures as
select
    invoice_lines.organisation_id,
    invoice_lines.government_layer,
    extract(year from invoice_lines.invoice_date) as year,
    invoice_lines.amount,
    cast(invoice_lines.amount as double)
    * coalesce(division_factor.kg_co2e_per_eur, default_factor.kg_co2e_per_eur) as kg_co2e,
    invoice_lines.contract_id is not null as has_contract,
    coalesce(suppliers.size_class in ('micro', 'small', 'medium'), false) as is_sme,
    coalesce(supplier_days.has_co2_ladder, false) as has_co2_ladder,
    coalesce(supplier_days.has_iso_14001_or_emas, false) as has_iso_14001_or_emas,
    coalesce(supplier_days.has_pso_level_1_plus, false) as has_pso_level_1_plus,
    coalesce(contracts.is_above_threshold_isv_risk and not contracts.is_isv_covered, false) as is_uncovered_isv_risk,
    coalesce(suppliers.is_social_enterprise, false) or coalesce(contracts.is_reserved, false)
        as is_social_enterprise_or_reserved
from invoice_lines
left join contracts
    on invoice_lines.contract_id = contracts.contract_id
left join suppliers
    on invoice_lines.supplier_id = suppliers.supplier_id
left join supplier_days
    on
        invoice_lines.supplier_id = supplier_days.supplier_id
        and invoice_lines.invoice_date = supplier_days.invoice_date
-- the CPV division's emission factor, else the default division 00
left join emission_factors as division_factor
    on left(invoice_lines.effective_cpv_code, 2) = division_factor.cpv_division
left join emission_factors as default_factor
    on default_factor.cpv_division = '00';

-- a count share of records in a domain
create or replace temp macro count_share(code, flag, in_domain) as
{
    'kpi_code': code,
    'numerator': cast(count(*) filter (where in_domain and flag) as double),
    'denominator': cast(count(*) filter (where in_domain) as double),
    'record_count': count(*) filter (where in_domain)
};

-- a value share of records in a domain
create or replace temp macro value_share(code, measure, flag, in_domain) as
{
    'kpi_code': code,
    'numerator': cast(sum(case when flag then measure else 0 end) filter (where in_domain) as double),
    'denominator': cast(sum(measure) filter (where in_domain) as double),
    'record_count': count(*) filter (where in_domain)
};

create or replace temp table kpi_org_year as
with

spend_kpis as (
    select
        organisation_id,
        government_layer,
        year,
        [
            value_share('GEN-04', amount, has_contract, true),
            value_share('GEN-05', amount, is_sme, true),
            {
                'kpi_code': 'KLI-02',
                'numerator': sum(kg_co2e) / 1000,
                'denominator': cast(null as double),
                'record_count': count(*)
            },
            {
                'kpi_code': 'KLI-03',
                'numerator': sum(kg_co2e),
                'denominator': cast(sum(amount) as double),
                'record_count': count(*)
            },
            value_share('KLI-04', amount, has_co2_ladder, true),
            value_share('MIL-02', amount, has_iso_14001_or_emas, true),
            {
                'kpi_code': 'ISV-03',
                'numerator': cast(sum(case when is_uncovered_isv_risk then amount else 0 end) as double),
                'denominator': cast(null as double),
                'record_count': count(*)
            },
            value_share('DI-02', amount, has_pso_level_1_plus, true),
            value_share('DI-03', amount, is_social_enterprise_or_reserved, true)
        ] as kpis
    from spend_measures
    where year is not null
    group by organisation_id, government_layer, year
),

awarded_tenders as (
    select
        tenders.organisation_id,
        tenders.government_layer,
        tenders.award_year,
        tenders.tender_value_eur,
        coalesce(tender_criteria.criteria_count, 0) > 0 as has_criteria,
        coalesce(tender_criteria.highest_ambition_level >= 2, false) as is_significant_or_ambitious,
        coalesce(tender_criteria.has_klimaat, false) as has_klimaat,
        coalesce(tender_criteria.has_circulair, false) as has_circulair,
        coalesce(tender_criteria.has_milieu, false) as has_milieu,
        coalesce(tender_criteria.has_diversiteit_inclusie, false) as has_diversiteit_inclusie
    from tenders
    left join tender_criteria
        on tenders.tender_id = tender_criteria.tender_id
    where tenders.status = 'awarded'
),

tender_kpis as (
    select
        organisation_id,
        government_layer,
        award_year as year,
        [
            count_share('GEN-01', has_criteria, true),
            value_share('GEN-02', tender_value_eur, has_criteria, tender_value_eur is not null),
            count_share('GEN-03', is_significant_or_ambitious, has_criteria),
            count_share('KLI-01', has_klimaat, true),
            count_share('CIR-01', has_circulair, true),
            value_share('CIR-02', tender_value_eur, has_circulair, tender_value_eur is not null),
            count_share('MIL-01', has_milieu, true),
            count_share('DI-01', has_diversiteit_inclusie, true)
        ] as kpis
    from awarded_tenders
    where award_year is not null
    group by organisation_id, government_layer, award_year
),

contract_start_kpis as (
    select
        organisation_id,
        government_layer,
        start_year as year,
        [
            count_share('ISV-01', is_isv_covered, is_above_threshold_isv_risk),
            value_share('ISV-02', contract_value_eur, is_isv_covered, is_above_threshold_isv_risk),
            count_share('SRO-01', has_sroi_obligation, is_sroi_eligible),
            {
                'kpi_code': 'SRO-02',
                'numerator': cast(sum(sroi_obligation_eur) filter (where has_sroi_obligation) as double),
                'denominator': cast(sum(contract_value_eur) filter (where has_sroi_obligation) as double),
                'record_count': count(*) filter (where has_sroi_obligation)
            }
        ] as kpis
    from contracts
    where start_year is not null
    group by organisation_id, government_layer, start_year
),

-- SRO-03: everything realised on a contract with an obligation (any period), in the year its
-- end_date falls
realised_per_contract as (
    select
        contract_id,
        sum(realised_value_eur) as realised_value_eur
    from realisations
    group by contract_id
),

contract_end_kpis as (
    select
        contracts.organisation_id,
        contracts.government_layer,
        contracts.end_year as year,
        [{
            'kpi_code': 'SRO-03',
            'numerator': cast(sum(coalesce(realised_per_contract.realised_value_eur, 0)) as double),
            'denominator': cast(sum(contracts.sroi_obligation_eur) as double),
            'record_count': count(*)
        }] as kpis
    from contracts
    left join realised_per_contract
        on contracts.contract_id = realised_per_contract.contract_id
    where contracts.end_year is not null and contracts.has_sroi_obligation
    group by contracts.organisation_id, contracts.government_layer, contracts.end_year
),

realisation_kpis as (
    select
        organisation_id,
        government_layer,
        period_year as year,
        [{
            'kpi_code': 'SRO-04',
            'numerator': sum(placements_fte),
            'denominator': cast(null as double),
            'record_count': count(*)
        }] as kpis
    from realisations
    where placements_fte is not null
    group by organisation_id, government_layer, period_year
),

material_kpis as (
    select
        organisation_id,
        government_layer,
        period_year as year,
        [{
            'kpi_code': 'CIR-03',
            'numerator': sum(secondary_material_kg),
            'denominator': sum(material_total_kg),
            'record_count': count(*)
        }] as kpis
    from material_reports
    group by organisation_id, government_layer, period_year
),

all_kpis as (
    select * from spend_kpis
    union all
    select * from tender_kpis
    union all
    select * from contract_start_kpis
    union all
    select * from contract_end_kpis
    union all
    select * from realisation_kpis
    union all
    select * from material_kpis
),

unnested as (
    select
        organisation_id,
        government_layer,
        year,
        unnest(kpis, recursive := true)
    from all_kpis
)

select *
from unnested
-- an organisation-year exists for a KPI only when at least one record is in its domain
where record_count > 0;

-- scopes, targets and values -------------------------------------------------------------------

create or replace temp table kpi_values as
with

-- government layers and the Netherlands from SUMMED organisation numerators and denominators
scopes as (
    select
        kpi_code,
        'organisation' as scope_level,
        organisation_id as scope_id,
        government_layer,
        year,
        numerator,
        denominator,
        record_count
    from kpi_org_year
    union all
    select
        kpi_code,
        case when grouping(government_layer) = 0 then 'government_layer' else 'national' end,
        coalesce(government_layer, 'NL'),
        government_layer,
        year,
        sum(numerator),
        sum(denominator),
        sum(record_count)
    from kpi_org_year
    group by grouping sets ((kpi_code, government_layer, year), (kpi_code, year))
),

register as (
    select
        kpi_code,
        theme,
        unit,
        better
    from seed('kpi_register')
),

targets as (
    select
        kpi_code,
        government_layer,
        cast(target_value as double) as target_value
    from seed('kpi_targets')
),

valued as (
    select
        scopes.*,
        register.theme,
        register.unit,
        register.better,
        -- a layer's own target, else the one for every scope ('*'); the Netherlands has no layer
        coalesce(layer_target.target_value, any_target.target_value) as target_value,
        case
            when scopes.denominator is null then scopes.numerator
            when scopes.denominator = 0 then null
            when register.unit = '%' then scopes.numerator / scopes.denominator * 100
            else scopes.numerator / scopes.denominator
        end as value
    from scopes
    inner join register
        on scopes.kpi_code = register.kpi_code
    left join targets as layer_target
        on
            scopes.kpi_code = layer_target.kpi_code
            and scopes.scope_level != 'national'
            and scopes.government_layer = layer_target.government_layer
    left join targets as any_target
        on scopes.kpi_code = any_target.kpi_code and any_target.government_layer = '*'
)

select
    cast(kpi_code as varchar) as kpi_code,
    cast(theme as varchar) as theme,
    cast(scope_level as varchar) as scope_level,
    cast(scope_id as varchar) as scope_id,
    cast(year as integer) as year,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator,
    cast(value as double) as value,
    cast(unit as varchar) as unit,
    cast(record_count as bigint) as record_count,
    target_value,
    case
        when target_value is null or value is null then null
        when better = 'higher' then value >= target_value
        when better = 'lower' then value <= target_value
    end as meets_target
from valued;
