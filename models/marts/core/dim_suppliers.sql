-- grain: one row per loaded supplier
-- The suppliers WITHOUT personal data: the contact e-mail is dropped in staging and its hash
-- is not carried here either. Size class and SME flag, social enterprise, and per certificate
-- family whether the supplier holds (or ever held) a qualifying certificate according to the
-- loaded certificates. "Holds on" uses the last day of the data (the latest invoice_date of
-- the loaded spend), not today's date, so that two builds of the same data are identical.
with

suppliers as (
    select * from {{ ref('stg_landing__suppliers') }}
),

certificates as (
    select * from {{ ref('stg_landing__supplier_certificates') }}
),

invoice_lines as (
    select * from {{ ref('stg_landing__invoice_lines') }}
),

reference_date as (
    select max(invoice_date) as reference_date
    from invoice_lines
),

certificate_flags as (
    select
        cert.supplier_id,
        count(*) as certificate_count,
        max(case when {{ is_qualifying_co2_ladder('cert') }} then 1 else 0 end) as has_ever_qualifying_co2_ladder,
        max(
            case
                when
                    {{ is_qualifying_co2_ladder('cert') }}
                    and {{ certificate_valid_on('cert', 'reference_date.reference_date') }}
                    then 1
                else 0
            end
        ) as holds_qualifying_co2_ladder,
        max(case when {{ is_iso_14001_or_emas('cert') }} then 1 else 0 end) as has_ever_iso_14001_or_emas,
        max(
            case
                when
                    {{ is_iso_14001_or_emas('cert') }}
                    and {{ certificate_valid_on('cert', 'reference_date.reference_date') }}
                    then 1
                else 0
            end
        ) as holds_iso_14001_or_emas,
        max(case when {{ is_pso_level_1_plus('cert') }} then 1 else 0 end) as has_ever_pso_level_1_plus,
        max(
            case
                when
                    {{ is_pso_level_1_plus('cert') }}
                    and {{ certificate_valid_on('cert', 'reference_date.reference_date') }}
                    then 1
                else 0
            end
        ) as holds_pso_level_1_plus
    from certificates as cert
    cross join reference_date
    group by cert.supplier_id
),

final as (
    select
        suppliers.supplier_id,
        suppliers.delivering_organisation_id,
        suppliers.source_supplier_id,
        -- one supplier of several organisations, recognised across them by its KvK number
        coalesce('kvk:' || suppliers.kvk_number, suppliers.supplier_id) as supplier_identity,
        suppliers.name,
        suppliers.kvk_number,
        suppliers.country_code,
        suppliers.size_class,
        {{ is_sme_size_class('suppliers.size_class') }} as is_sme,
        suppliers.is_social_enterprise,
        cast(coalesce(certificate_flags.certificate_count, 0) as bigint) as certificate_count,
        coalesce(certificate_flags.has_ever_qualifying_co2_ladder = 1, false) as has_ever_qualifying_co2_ladder,
        coalesce(certificate_flags.holds_qualifying_co2_ladder = 1, false) as holds_qualifying_co2_ladder,
        coalesce(certificate_flags.has_ever_iso_14001_or_emas = 1, false) as has_ever_iso_14001_or_emas,
        coalesce(certificate_flags.holds_iso_14001_or_emas = 1, false) as holds_iso_14001_or_emas,
        coalesce(certificate_flags.has_ever_pso_level_1_plus = 1, false) as has_ever_pso_level_1_plus,
        coalesce(certificate_flags.holds_pso_level_1_plus = 1, false) as holds_pso_level_1_plus,
        reference_date.reference_date as certificates_reference_date
    from suppliers
    left join certificate_flags
        on suppliers.supplier_id = certificate_flags.supplier_id
    cross join reference_date
)

select
    supplier_id,
    delivering_organisation_id,
    source_supplier_id,
    supplier_identity,
    name,
    kvk_number,
    country_code,
    size_class,
    is_sme,
    is_social_enterprise,
    certificate_count,
    has_ever_qualifying_co2_ladder,
    holds_qualifying_co2_ladder,
    has_ever_iso_14001_or_emas,
    holds_iso_14001_or_emas,
    has_ever_pso_level_1_plus,
    holds_pso_level_1_plus,
    certificates_reference_date
from final
