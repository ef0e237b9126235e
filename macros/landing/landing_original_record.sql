{% macro landing_delivered_record(columns, hashed_columns={}) -%}
    {#- One delivered row as a struct of its columns as delivered (text, untrimmed), in the
        contract's column order; personal-data columns (`hashed_columns`) are left out.
        landing_deduplicate keeps the least of them per distinct record. -#}
    struct_pack(
        {%- for column in columns if column not in hashed_columns %}
        {{ column }} := cast({{ column }} as varchar){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{% macro landing_original_record(entity) -%}
    {#- original_record of a checked landing record of `entity`: its delivered copy
        (delivered_record) as JSON text in the contract's column order, personal-data columns
        (the contract's) only as <name>_hash.
        Written for a rejected record or one with warnings, the rows governance shows; null for a
        clean record (JSON for every row was about a third of staging the invoice lines). -#}
    {%- set columns = landing_contract_columns(entity) -%}
    {%- set hashed_columns = landing_personal_data(entity) -%}
    case when len(fatal_reasons) > 0 or len(warnings) > 0 then cast(to_json(struct_pack(
        {%- for column in columns %}
            {%- if column in hashed_columns %}
        {{ column }}_hash := {{ column }}_hash
            {%- else %}
        {{ column }} := struct_extract(delivered_record, '{{ column }}')
            {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    )) as varchar) end
{%- endmacro %}


{% macro landing_record_id(entity) -%}
    {#- record_id of a checked landing record of `entity`, for the rows governance shows (those
        with an original_record): MD5 of its id scope and original_record. Distinct records of
        one id scope differ in a delivered value or a personal-data hash, so their ids differ.
        Null for a clean record: an MD5 of every row was a quarter of staging the invoice lines. -#}
    md5(coalesce(id_scope || ':', '') || {{ landing_original_record(entity) }})
{%- endmacro %}
