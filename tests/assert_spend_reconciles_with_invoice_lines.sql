-- Per organisation, the spend fact's amount equals the amount of the loaded invoice lines
-- (the generic test reconciles_with): no line lost or doubled between staging and the mart.
{{ test_reconciles_with(
    model=ref('fct_spend'),
    column_name='amount',
    to=ref('stg_landing__invoice_lines'),
    field='amount',
    group_by=['organisation_id'],
) }}
