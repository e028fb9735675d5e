import type { AddressDictionary } from './address.zh-cn.ts';

/** English texts of the address picker: `AddressDictionary` makes a missing or extra key a type error. */
export const addressEn: AddressDictionary = {
  'address.pick': 'Choose province, city, district',
  'address.for': '{field}: choose province, city, district',
  'address.level.province': 'Choose the province or region',
  'address.level.city': 'Choose the city',
  'address.level.district': 'Choose the district or county',
  'address.level.street': 'Choose the street or township (optional)',
  'address.then': 'Then type the road and house number on the keyboard.',
  'address.chosen': 'Chosen:',
  'address.noneChosen': 'Nothing chosen yet',
  'address.choices': 'Places to choose from',
  'address.back': 'Back',
  'address.cancel': 'Cancel',
  'address.noStreet': 'No street: type the rest',
  'address.loading': 'Opening the list of places…',
  'address.unavailable': 'The list of places cannot open right now. Please type the address on the keyboard.',
};
