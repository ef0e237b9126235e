-- grain: one row per finding x tender (finding, organisation_id, tender_id, self_reported_tender_id)
-- Source reconciliation of the published tenders (fct_notice_tenders) and the organisations'
-- own tenders (fct_tenders). Matching rule (docs/notices.md, "In the warehouse"): the same
-- organisation_id, and the self-reported tender_id as delivered (without the "<OIN>:" scope
-- that staging gives the ids of a one-organisation delivery) equal to the notice's
-- `<procedure id>/<lot id>`. Only organisations present in both sources are compared.
-- Findings:
--   published_not_delivered  a published lot the organisation's own data lacks;
--   delivered_not_published  a self-reported tender (not planned) without a notice, at or above
--                            the EU threshold of its contract type, authority class and date;
--   theme_mismatch           a tender on both sides whose theme flags disagree (the theme lists,
--                            written in the same fixed order, differ).
with

self_reported as (
    select * from {{ ref('fct_tenders') }}
),

notices as (
    select * from {{ ref('fct_notice_tenders') }}
),

deliveries as (
    select * from {{ ref('stg_deliveries__deliveries') }}
),

thresholds as (
    select * from {{ ref('eu_thresholds') }}
),

-- the id as the organisation delivered it: a one-organisation delivery's ids are scoped by
-- staging as "<delivering OIN>:<id>" (macro scoped_id); a landing folder's are as delivered
self_reported_keyed as (
    select
        self_reported.*,
        case
            when
                deliveries.organisation_id is not null
                and starts_with(self_reported.tender_id, deliveries.organisation_id || ':')
                then substr(self_reported.tender_id, length(deliveries.organisation_id) + 2)
            else self_reported.tender_id
        end as delivered_tender_id
    from self_reported
    left join deliveries
        on self_reported.delivery_id = deliveries.delivery_id
),

-- the EU threshold of the tender's contract type and authority class on its publication date
-- (else its award date): macro with_eu_threshold, as int_contracts_enriched decides it for contracts
self_reported_with_threshold as (
    {{ with_eu_threshold(
        'self_reported_keyed',
        value='self_reported_keyed.tender_value_eur',
        date='coalesce(self_reported_keyed.publication_date, self_reported_keyed.award_date)',
    ) | indent(4) }}
),

compared_organisations as (
    select distinct organisation_id from self_reported
    intersect
    select distinct organisation_id from notices
),

matched as (
    select
        coalesce(notices.organisation_id, self_reported.organisation_id) as organisation_id,
        coalesce(notices.tender_id, self_reported.delivered_tender_id) as tender_id,
        self_reported.tender_id as self_reported_tender_id,
        notices.tender_id is not null as is_published,
        self_reported.tender_id is not null as is_delivered,
        coalesce(self_reported.status, notices.status) as status,
        coalesce(self_reported.contract_type, notices.contract_type) as contract_type,
        self_reported.tender_value_eur as self_reported_value_eur,
        notices.tender_value_eur as notice_value_eur,
        self_reported.eu_threshold_eur,
        coalesce(self_reported.is_above_threshold, false) as is_above_threshold,
        {{ tender_theme_list('self_reported') }} as self_reported_themes,
        {{ tender_theme_list('notices') }} as notice_themes
    from notices
    full outer join self_reported_with_threshold as self_reported
        on
            notices.organisation_id = self_reported.organisation_id
            and notices.tender_id = self_reported.delivered_tender_id
    where coalesce(notices.organisation_id, self_reported.organisation_id) in (
        select compared_organisations.organisation_id from compared_organisations
    )
),

findings as (
    select
        case
            when not is_delivered then 'published_not_delivered'
            when not is_published then 'delivered_not_published'
            else 'theme_mismatch'
        end as finding,
        *
    from matched
    where
        not is_delivered
        or (not is_published and status <> 'planned' and is_above_threshold)
        or (is_published and is_delivered and self_reported_themes <> notice_themes)
),

final as (
    select
        finding,
        organisation_id,
        tender_id,
        self_reported_tender_id,
        status,
        contract_type,
        self_reported_value_eur,
        notice_value_eur,
        eu_threshold_eur,
        is_above_threshold,
        nullif(self_reported_themes, '') as self_reported_themes,
        nullif(notice_themes, '') as notice_themes
    from findings
)

select * from final
