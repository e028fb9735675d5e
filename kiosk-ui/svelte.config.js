// Read by vite-plugin-svelte, svelte-check and eslint-plugin-svelte alike.
export default {
  compilerOptions: {
    // Svelte 5 runes everywhere: no legacy reactivity, no stores.
    runes: true,
  },
};
