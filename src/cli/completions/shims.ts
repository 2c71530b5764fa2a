/**
 * The completion scripts: thin shims that pass the command line to `flux-krea __complete` and
 * hand its answer to the shell (complete.ts does the work, once, for every shell). Printed by
 * `flux-krea completion <shell>`; `npm run completions` writes them to completions/, and a test
 * fails when those files differ from these.
 */
import type { Shell } from './shells.js';

export const SHIMS: Record<Shell, string> = {
  bash: `# bash completion for flux-krea
# A thin shim: \`flux-krea __complete -- <words>\` works out what fits (the same TypeScript for
# bash, zsh and fish) and this hands it to bash. Install: \`source <(flux-krea completion bash)\`
# in ~/.bashrc, or save as ~/.local/share/bash-completion/completions/flux-krea.
# Written by \`flux-krea completion bash\` (npm run completions); do not edit by hand.
# Bash 3.2 too (macOS): no associative arrays, mapfile or negative array indexes.

_flux_krea() {
  local line=\${COMP_LINE-} pos=0 i=0 tok gap cur kept last
  local -a words=() out=()
  # Readline split the line at COMP_WORDBREAKS (\`16:9\` arrives as \`16\` \`:\` \`9\`, \`--aspect=1\`
  # as \`--aspect\` \`=\` \`1\`): pieces with no blank between them in COMP_LINE are one word again.
  for ((i = 0; i <= COMP_CWORD; i++)); do
    tok=\${COMP_WORDS[i]}
    gap=1
    if [[ -n $line ]]; then
      gap=0
      while [[ $pos -lt \${#line} && \${line:pos:1} == [[:space:]] ]]; do pos=$((pos + 1)); gap=1; done
      pos=$((pos + \${#tok}))
    fi
    if ((i > 0 && !gap)); then
      words[\${#words[@]} - 1]+=$tok
    else
      words+=("$tok")
    fi
  done
  cur=\${words[\${#words[@]} - 1]}
  COMPREPLY=()
  while IFS= read -r tok; do out+=("$tok"); done < <(flux-krea __complete -- "\${words[@]:1}" 2>/dev/null)
  ((\${#out[@]})) || return 0
  last=\${out[\${#out[@]} - 1]}
  # Readline replaces only the text after the last break character of the word (\`16:<TAB>\`
  # inserts \`9\`), so what is typed up to there goes from each candidate.
  kept=$cur
  while [[ -n $kept && $COMP_WORDBREAKS != *"\${kept: -1}"* ]]; do kept=\${kept%?}; done
  case $last in
    :file|:dir)
      # Quote and mark directories as for any file name (fails harmlessly outside completion).
      compopt -o filenames 2>/dev/null
      tok=-f
      [[ $last == :dir ]] && tok=-d
      while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen $tok -- "\${cur:\${#kept}}")
      ;;
    *)
      for ((i = 0; i < \${#out[@]} - 1; i++)); do
        tok=\${out[i]%%$'\\t'*}
        COMPREPLY+=("\${tok:\${#kept}}")
      done
      ;;
  esac
  return 0
}

complete -F _flux_krea flux-krea
`,
  zsh: `#compdef flux-krea
# zsh completion for flux-krea
# A thin shim: \`flux-krea __complete -- <words>\` works out what fits (the same TypeScript for
# bash, zsh and fish) and this hands it to zsh. Install: save as _flux-krea in a directory of
# $fpath before compinit runs, or add \`source <(flux-krea completion zsh)\` to ~/.zshrc after
# compinit. Written by \`flux-krea completion zsh\` (npm run completions); do not edit by hand.

_flux-krea() {
  local cur=\${words[CURRENT]} prefix='' kind c name
  local -a out items
  out=("\${(@f)$(flux-krea __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  kind=\${out[-1]}
  out=("\${(@)out[1,-2]}")
  # For --flag=value zsh completes the part after the \`=\`; the answers hold the whole word.
  if [[ $cur == --*=* ]]; then
    prefix=\${cur%%=*}=
    compset -P '*='
  fi
  case $kind in
    (:file) _files ;;
    (:dir) _files -/ ;;
    (:values)
      for c in "\${out[@]}"; do
        name=\${\${c%%$'\\t'*}#$prefix}
        # _describe splits name:description at the first unescaped colon (\`16:9\`).
        name=\${name//:/\\\\:}
        if [[ $c == *$'\\t'* ]]; then items+=("$name:\${c#*$'\\t'}"); else items+=("$name"); fi
      done
      _describe -t values value items ;;
    (*) return 1 ;;
  esac
}

# Autoloaded from $fpath, this file's first run is already a completion; sourced, it registers.
if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  _flux-krea "$@"
else
  compdef _flux-krea flux-krea
fi
`,
  fish: `# fish completion for flux-krea
# A thin shim: \`flux-krea __complete -- <words>\` works out what fits (the same TypeScript for
# bash, zsh and fish) and this hands it to fish. Install: copy to
# ~/.config/fish/completions/flux-krea.fish, or run \`flux-krea completion fish | source\`.
# Written by \`flux-krea completion fish\` (npm run completions); do not edit by hand.

function __flux_krea_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l out (flux-krea __complete -- $tokens[2..-1] $cur 2>/dev/null)
    set -q out[1]; or return
    # For --flag=value, file names are completed after the \`=\` and keep it.
    set -l prefix (string match -r -- '^--[^=]+=' $cur)
    set -l value (string replace -r -- '^--[^=]+=' '' $cur)
    switch $out[-1]
        case :file
            __fish_complete_path $value | string replace -r -- '^' "$prefix"
        case :dir
            __fish_complete_directories $value | string replace -r -- '^' "$prefix"
        case '*'
            set -e out[-1]
            printf '%s\\n' $out
    end
end

# Prompts and most arguments are free text, not file names.
complete -c flux-krea -f -a '(__flux_krea_complete)'
`,
};
