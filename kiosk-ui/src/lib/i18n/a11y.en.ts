import type { A11yDictionary } from './a11y.zh-cn.ts';

/** English texts of the accessibility controls: `A11yDictionary` makes a missing or extra key a type error. */
export const a11yEn: A11yDictionary = {
  'a11y.elder': 'Elder mode',
  'a11y.readAloud': 'Read aloud',
  'a11y.elderOn': 'Elder mode is on',
  'a11y.settings': 'Display',
  'a11y.settingsTitle': 'Display settings',
  'a11y.sizeLabel': 'Text size',
  'a11y.size.standard': 'Standard',
  'a11y.size.large': 'Large',
  'a11y.size.xlarge': 'Extra large',
  'a11y.themeLabel': 'Contrast',
  'a11y.theme.standard': 'Standard colours',
  'a11y.theme.darkOnLight': 'Black on white',
  'a11y.theme.lightOnDark': 'White on black',
  'a11y.close': 'Done',
  'a11y.moreTime': 'I need more time',
  'a11y.elder.homeTitle': 'What do you need? Tap one',
  'a11y.elder.moreServices': 'More services',
  'a11y.elder.mainServices': 'Main services',
};
