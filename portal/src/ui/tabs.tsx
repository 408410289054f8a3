// Tabs with arrow-key navigation and the tablist/tab/tabpanel roles (Radix).
export { Tabs } from 'radix-ui';
