# bash completion for flux-krea
# A thin shim: `flux-krea __complete -- <words>` works out what fits (the same TypeScript for
# bash, zsh and fish) and this hands it to bash. Install: `source <(flux-krea completion bash)`
# in ~/.bashrc, or save as ~/.local/share/bash-completion/completions/flux-krea.
# Written by `flux-krea completion bash` (npm run completions); do not edit by hand.
# Bash 3.2 too (macOS): no associative arrays, mapfile or negative array indexes.

_flux_krea() {
  local line=${COMP_LINE-} pos=0 i=0 tok gap cur kept last
  local -a words=() out=()
  # Readline split the line at COMP_WORDBREAKS (`16:9` arrives as `16` `:` `9`, `--aspect=1`
  # as `--aspect` `=` `1`): pieces with no blank between them in COMP_LINE are one word again.
  for ((i = 0; i <= COMP_CWORD; i++)); do
    tok=${COMP_WORDS[i]}
    gap=1
    if [[ -n $line ]]; then
      gap=0
      while [[ $pos -lt ${#line} && ${line:pos:1} == [[:space:]] ]]; do pos=$((pos + 1)); gap=1; done
      pos=$((pos + ${#tok}))
    fi
    if ((i > 0 && !gap)); then
      words[${#words[@]} - 1]+=$tok
    else
      words+=("$tok")
    fi
  done
  cur=${words[${#words[@]} - 1]}
  COMPREPLY=()
  while IFS= read -r tok; do out+=("$tok"); done < <(flux-krea __complete -- "${words[@]:1}" 2>/dev/null)
  ((${#out[@]})) || return 0
  last=${out[${#out[@]} - 1]}
  # Readline replaces only the text after the last break character of the word (`16:<TAB>`
  # inserts `9`), so what is typed up to there goes from each candidate.
  kept=$cur
  while [[ -n $kept && $COMP_WORDBREAKS != *"${kept: -1}"* ]]; do kept=${kept%?}; done
  case $last in
    :file|:dir)
      # Quote and mark directories as for any file name (fails harmlessly outside completion).
      compopt -o filenames 2>/dev/null
      tok=-f
      [[ $last == :dir ]] && tok=-d
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen $tok -- "${cur:${#kept}}")
      ;;
    *)
      for ((i = 0; i < ${#out[@]} - 1; i++)); do
        tok=${out[i]%%$'\t'*}
        COMPREPLY+=("${tok:${#kept}}")
      done
      ;;
  esac
  return 0
}

complete -F _flux_krea flux-krea
