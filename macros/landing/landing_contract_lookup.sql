{% macro landing_contract_columns(entity) -%}
    {#- The columns of a landing entity in contract order (from landing_contract(), generated
        from models/staging/landing/_landing__sources.yml). -#}
    {{ return(_landing_contract_entity(entity)['columns']) }}
{%- endmacro %}


{% macro landing_contract_key(entity) -%}
    {#- The key column of a landing entity (from landing_contract()). -#}
    {{ return(_landing_contract_entity(entity)['key']) }}
{%- endmacro %}


{% macro landing_personal_data(entity) -%}
    {#- The personal-data columns of a landing entity (from landing_contract()), name ->
        lowercase flag for hash_personal_data: true when the contract hashes the value in
        lower case (e-mail addresses). -#}
    {%- set hashed = {} -%}
    {%- for column, case in _landing_contract_entity(entity)['personal_data'].items() -%}
        {%- do hashed.update({column: case == 'lower'}) -%}
    {%- endfor -%}
    {{ return(hashed) }}
{%- endmacro %}


{% macro landing_code_list(entity, col, fallback=none) -%}
    {#- The code list of `entity`.`col` in the landing contract, in the contract's spelling
        (the staging models' accepted_values tests take their values from it), plus the
        `fallback` code staging stores for an invalid value, when it has one (e.g. unknown). -#}
    {%- set values = _landing_code_column(entity, col)['values'] -%}
    {{ return(values + [fallback] if fallback else values) }}
{%- endmacro %}


{% macro parse_landing_code(entity, col) -%}
    {#- parse_code with the code list and case of `entity`.`col` in the landing contract. -#}
    {%- set code = _landing_code_column(entity, col) -%}
    {{ parse_code(col, code['values'], case=code['case']) }}
{%- endmacro %}


{% macro _landing_code_column(entity, col) -%}
    {#- The code list and case of a code column; stops with a message when it has none. -#}
    {%- set code_lists = _landing_contract_entity(entity)['code_lists'] -%}
    {%- if col not in code_lists -%}
        {{ exceptions.raise_compiler_error(
            entity ~ "." ~ col ~ " has no code list in the landing contract") }}
    {%- endif -%}
    {{ return(code_lists[col]) }}
{%- endmacro %}


{% macro _landing_contract_entity(entity) -%}
    {#- One entity of landing_contract(); stops with a message for an unknown entity. -#}
    {%- set contract = landing_contract() -%}
    {%- if entity not in contract -%}
        {{ exceptions.raise_compiler_error("Unknown landing entity " ~ entity ~ " (landing contract)") }}
    {%- endif -%}
    {{ return(contract[entity]) }}
{%- endmacro %}


{% macro landing_format(name) -%}
    {#- The regex of a value format of the landing contract (landing_formats()). -#}
    {%- set formats = landing_formats() -%}
    {%- if name not in formats -%}
        {{ exceptions.raise_compiler_error("Unknown value format " ~ name ~ " (landing contract)") }}
    {%- endif -%}
    {{ return(formats[name]) }}
{%- endmacro %}
