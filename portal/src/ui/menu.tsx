// Menus with arrow-key navigation, typeahead and focus return (Radix).
export { DropdownMenu } from 'radix-ui';
