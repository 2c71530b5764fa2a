/** The shells we have scripts for; apart from the scripts so the command file stays light. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** File names under completions/, as each shell's loader expects them. */
export const COMPLETION_FILES: Record<Shell, string> = {
  bash: 'flux-krea.bash',
  zsh: '_flux-krea',
  fish: 'flux-krea.fish',
};
